using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace Fathom.Storage;

/// <summary>
/// The one decision whether a path that comes from data stays inside its root: outputs of <c>.dvc</c>,
/// <c>dvc.yaml</c> and <c>dvc.lock</c> files (inside the repository), entries of folder manifests (inside their
/// output), keys of a local remote or a sync destination, and artifact paths (inside the store's folder). Every caller
/// asks it; none decides on its own.
/// <para>
/// Lexically, a path is read the same way on every system, so a repository cannot mean one thing on Linux and another
/// on Windows: <c>\</c> counts as a separator, a drive (<c>C:</c>) as absolute. <c>.git</c> and <c>.dvc</c> are refused
/// in any folder and in any case (<c>.GIT</c>), with the trailing dots and spaces Windows drops and their 8.3 short
/// names, as git's own path check does: a checkout may run on a file system that folds case, where <c>.GIT/hooks</c>
/// is git's hooks folder.
/// </para>
/// <para>
/// On disk, no symbolic link on the way from the root to the target may lead out of the root: each existing component
/// is looked at without following it (lstat), and a link is resolved in full (realpath) and must land inside. A link
/// that stays inside is fine (DVC's <c>cache.type: symlink</c> makes such links). Folders found safe are remembered for
/// the life of the instance (make one per command, or per request in a long-lived process), so a checkout of 20,000
/// files in a few folders pays a few lstat calls, not one per file. A missing component is fine: what is missing is
/// created as a real folder. The full path returned is normalised (<c>a/../b</c> is <c>b</c>) and is what callers use,
/// so the kernel never resolves a <c>..</c> after a link.
/// </para>
/// <para>
/// Not covered: a process that can write inside the root at the same moment and swaps a checked folder for a link
/// between the check and its use (a time-of-check race). Closing that needs every open relative to a checked folder
/// descriptor (openat2 with RESOLVE_BENEATH); the artifact store does close it for reads (see
/// <see cref="LocalArtifactStore"/>). The checks here stop links planted beforehand, which is how a cloned repository,
/// a pulled manifest or a shared artifact folder attacks.
/// </para>
/// </summary>
internal sealed class PathConfinement
{
    private readonly string _prefix;
    // Keys and values both strings: a dictionary of reference types runs on code ReadyToRun precompiled, where a
    // value-type argument would be compiled at start-up of every quick command.
    private readonly ConcurrentDictionary<string, string> _proven = new(StringComparer.Ordinal);
    private string? _realRoot;

    /// <param name="root">The folder paths must stay in.</param>
    /// <param name="description">How messages name it: <c>the repository</c>, <c>the folder '…'</c>.</param>
    public PathConfinement(string root, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _prefix = Path.EndsInDirectorySeparator(Root) ? Root : Root + Path.DirectorySeparatorChar;
        Description = description;
    }

    public string Root { get; }

    public string Description { get; }

    /// <summary>
    /// A path written in a DVC file (an output, or a dependency about to be written), relative to
    /// <paramref name="baseFolder"/> (the file's folder or its <c>wdir</c>). As in DVC, <c>..</c> and an absolute path
    /// are fine when they end inside the root; the root itself, anything outside it and anything in <c>.git</c> or
    /// <c>.dvc</c> are refused. The last component may be a link (it is replaced, never written through).
    /// </summary>
    public ConfinedPath Confine(string path, string baseFolder)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Garbled(path) is { } garbled)
        {
            return ConfinedPath.Refused(garbled);
        }

        var portable = path.Replace('\\', '/');
        if (HasDrive(portable) && !OperatingSystem.IsWindows())
        {
            return ConfinedPath.Refused($"is an absolute Windows path, outside {Description}");
        }

        // Decided on the portable reading; the full path returned is this system's reading of what was written, which
        // can only hold fewer '..' steps (a '\' is part of a name here), so it is inside whenever the decision is.
        var decided = Path.GetFullPath(portable, baseFolder);
        if (decided == Root || !IsInside(decided, Root))
        {
            return ConfinedPath.Refused(decided == Root ? $"is {Description} itself" : $"is outside {Description}");
        }

        if (ReservedFolder(decided.AsSpan(_prefix.Length)) is { } reserved)
        {
            return ConfinedPath.Refused(Inside(reserved));
        }

        var full = Path.GetFullPath(path, baseFolder);
        return LinkRefusal(full, includeFinal: false) is { } link ? ConfinedPath.Refused(link) : new ConfinedPath(full, null);
    }

    /// <summary>
    /// A name below the root (a manifest entry, a remote or sync key, an artifact path): relative, with no <c>..</c>,
    /// <c>.</c> or empty segment, and with <paramref name="guardMetadata"/> nothing in <c>.git</c> or <c>.dvc</c>. With
    /// <paramref name="includeFinal"/> the target itself may not be a link leading out either (for reads and deletes
    /// that would go through it).
    /// </summary>
    public ConfinedPath ConfineBelow(string relative, bool guardMetadata, bool includeFinal)
    {
        if (NameRefusal(relative, guardMetadata) is { } refusal)
        {
            return ConfinedPath.Refused(refusal);
        }

        var full = Path.Join(_prefix, Path.DirectorySeparatorChar == '/' ? relative : relative.Replace('/', Path.DirectorySeparatorChar));
        return LinkRefusal(full, includeFinal) is { } link ? ConfinedPath.Refused(link) : new ConfinedPath(full, null);
    }

    /// <summary>
    /// The lexical rules of <see cref="ConfineBelow"/> alone, for names validated once when they are read (every entry of
    /// a folder manifest), so that writing each later needs only the link check of its folder. Null when the name is fine.
    /// </summary>
    public static string? NameRefusal(string relative, bool guardMetadata)
    {
        ArgumentNullException.ThrowIfNull(relative);
        if (Garbled(relative) is { } garbled)
        {
            return garbled;
        }

        if (relative[0] is '/' or '\\' || HasDrive(relative))
        {
            return "is an absolute path";
        }

        var rest = relative.AsSpan();
        while (true)
        {
            var end = rest.IndexOfAny('/', '\\');
            var segment = end < 0 ? rest : rest[..end];
            switch (segment)
            {
                case []:
                    return "has an empty segment";
                case ['.']:
                    return "has a '.' segment";
                case ['.', '.']:
                    return "leaves its folder ('..')";
            }

            if (guardMetadata && Reserved(segment) is { } reserved)
            {
                return Inside(reserved);
            }

            if (end < 0)
            {
                return null;
            }

            rest = rest[(end + 1)..];
        }
    }

    /// <summary>
    /// Why <paramref name="fullPath"/> (lexically inside the root) is unsafe to write or delete: a component from the
    /// root down that is a link leading out of it (the last one too with <paramref name="includeFinal"/>); null when
    /// none is.
    /// </summary>
    public string? LinkRefusal(string fullPath, bool includeFinal)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        var end = includeFinal ? fullPath.Length : fullPath.LastIndexOf(Path.DirectorySeparatorChar);
        if (end <= _prefix.Length || _proven.ContainsKey(fullPath[..end]))
        {
            // Nothing between the root and the target, or its folder is proven (and so is every folder above it, since
            // a folder is proven only after them): one lookup for each file of a folder written file by file.
            return null;
        }

        var position = _prefix.Length;
        while (position < end)
        {
            var next = fullPath.IndexOf(Path.DirectorySeparatorChar, position);
            if (next < 0 || next > end)
            {
                next = end;
            }

            var component = fullPath[..next];
            position = next + 1;
            if (_proven.ContainsKey(component))
            {
                continue;
            }

            // Attributes come from lstat: a link is a ReparsePoint, whatever it points to; -1 when nothing is there.
            var attributes = new DirectoryInfo(component).Attributes;
            if ((int)attributes == -1)
            {
                // Missing: what is below it does not exist either, and is created as real folders (this process makes
                // links only as the last component, never as a folder). Remembered, so the other files planned for the
                // same new folders cost no lstat each.
                for (var cut = next; ; cut = fullPath.IndexOf(Path.DirectorySeparatorChar, cut + 1))
                {
                    cut = cut < 0 || cut > end ? end : cut;
                    var proven = fullPath[..cut];
                    _proven.TryAdd(proven, proven);
                    if (cut == end)
                    {
                        return null;
                    }
                }
            }

            if (attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                var target = RealPath(component);
                if (target is null || !IsInside(target, RealRoot))
                {
                    var shown = Path.GetRelativePath(Root, component).Replace(Path.DirectorySeparatorChar, '/');
                    return $"goes through '{shown}', a symbolic link leading out of {Description} ({(target is null ? "to nothing" : $"to '{target}'")})";
                }
            }
            else if (!attributes.HasFlag(FileAttributes.Directory))
            {
                // A file: nothing can be below it, and writing there fails on its own.
                return null;
            }

            _proven.TryAdd(component, component);
        }

        return null;
    }

    /// <summary>
    /// Why the file open behind <paramref name="handle"/> is not one to read from this root: where the kernel actually
    /// opened it (Linux's <c>/proc/self/fd</c>) lies outside. Asked after opening, this holds even if a link was swapped
    /// in after the path was checked. Null when it is inside, or where the system cannot tell.
    /// </summary>
    public string? OpenedFileRefusal(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var opened = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
        return opened is null || IsInside(opened, RealRoot) ? null : $"was opened at '{opened}', outside {Description}";
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or below it (both full, lexically normal).</summary>
    public static bool IsInside(string path, string folder)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(folder);
        var trimmed = Path.TrimEndingDirectorySeparator(folder);
        return path.StartsWith(trimmed, StringComparison.Ordinal)
            && (path.Length == trimmed.Length || path[trimmed.Length] == Path.DirectorySeparatorChar || Path.EndsInDirectorySeparator(trimmed));
    }

    /// <summary>
    /// <paramref name="path"/> with every link resolved (realpath): the part that exists resolved, the rest appended as
    /// written, so a path about to be created compares with real paths too.
    /// </summary>
    public static string Resolved(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        for (var current = full; current is not null; current = Path.GetDirectoryName(current))
        {
            if (RealPath(current) is { } real)
            {
                return missing.Aggregate(real, Path.Join);
            }

            missing.Push(Path.GetFileName(current));
        }

        return full;
    }

    /// <summary>The target of every link on the way resolved, or null when the path does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            var info = new DirectoryInfo(path);
            return (int)info.Attributes == -1 ? null : Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName);
        }

        var resolved = RealPathNative(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>The root as the kernel sees it: links compare against it, since realpath resolves their targets.</summary>
    private string RealRoot => _realRoot ??= Resolved(Root);

    private static string Inside(string reserved) => reserved == ".git"
        ? "is inside .git, which DVC never tracks"
        : "is inside .dvc, DVC's own folder";

    /// <summary>Empty or holding NUL (which ends the path the kernel sees early): never a path.</summary>
    private static string? Garbled(string path) =>
        path.Length == 0 ? "is empty" : path.Contains('\0', StringComparison.Ordinal) ? "holds a NUL character" : null;

    private static bool HasDrive(string path) => path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0]);

    /// <summary>The first <c>.git</c> or <c>.dvc</c> segment of a root-relative path in this system's separators.</summary>
    private static string? ReservedFolder(ReadOnlySpan<char> relative)
    {
        while (true)
        {
            var end = relative.IndexOfAny('/', '\\');
            if (Reserved(end < 0 ? relative : relative[..end]) is { } reserved)
            {
                return reserved;
            }

            if (end < 0)
            {
                return null;
            }

            relative = relative[(end + 1)..];
        }
    }

    /// <summary>
    /// <c>.git</c> or <c>.dvc</c> when the segment names one on some file system: any case; trailing dots and spaces
    /// dropped (Windows); the 8.3 short name (<c>GIT~1</c>); zero-width code points dropped (HFS+ ignores them).
    /// </summary>
    private static string? Reserved(ReadOnlySpan<char> segment)
    {
        segment = segment.TrimEnd(". ");
        if (segment.Length > 4 && !Ascii.IsValid(segment))
        {
            segment = string.Concat(segment.ToString().Where(c => !IsIgnorable(c))).AsSpan().TrimEnd(". ");
        }

        return segment.Length is not (4 or 5) ? null
            : segment.Equals(".git", StringComparison.OrdinalIgnoreCase) || segment.Equals("git~1", StringComparison.OrdinalIgnoreCase) ? ".git"
            : segment.Equals(".dvc", StringComparison.OrdinalIgnoreCase) || segment.Equals("dvc~1", StringComparison.OrdinalIgnoreCase) ? ".dvc"
            : null;
    }

    // The code points HFS+ leaves out when comparing names (git's is_hfs_dotgit list).
    private static bool IsIgnorable(char c) => c is (>= '\u200C' and <= '\u200F') or (>= '\u202A' and <= '\u202E') or (>= '\u206A' and <= '\u206F') or '\uFEFF';

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr RealPathNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void Free(IntPtr pointer);
}
