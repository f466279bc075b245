using System.Runtime.InteropServices;

namespace Fathom.Data;

/// <summary>
/// Places cached objects in the workspace with the first link type of <c>cache.type</c> that works (DVC's default
/// <c>reflink,copy</c>). Each file is made under a temporary name in its folder and renamed into place, so an
/// interrupted checkout never leaves half a file. Copies are writable; links share the read-only cache object.
/// </summary>
internal sealed class WorkspaceLinker
{
    private const UnixFileMode Writable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly IReadOnlyList<LinkType> _types;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _folders = new(StringComparer.Ordinal);

    // Cleared at the first refused clone: the file system will refuse the rest too, so don't ask 20,000 times.
    private volatile bool _cloneWorks = true;

    public WorkspaceLinker(IReadOnlyList<LinkType> types) => _types = types.Count == 0 ? [LinkType.Reflink, LinkType.Copy] : types;

    /// <summary>True when the first choice is a link, so add replaces workspace files with links to the cache.</summary>
    public bool PrefersLinks => _types[0] is LinkType.Hardlink or LinkType.Symlink;

    public static IReadOnlyList<LinkType> ParseTypes(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [LinkType.Reflink, LinkType.Copy];
        }

        return value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant() switch
        {
            "reflink" => LinkType.Reflink,
            "hardlink" => LinkType.Hardlink,
            "symlink" => LinkType.Symlink,
            "copy" => LinkType.Copy,
            _ => throw new DataException(DataErrorKind.InvalidInput, $".dvc/config: cache.type: unknown link type '{t}' (use reflink, hardlink, symlink or copy)."),
        }).ToList();
    }

    public void Place(string objectPath, string destination, bool isExecutable)
    {
        // One mkdir per folder rather than a stat per file: a checkout of a tracked folder places thousands of files in few folders.
        var folder = Path.GetDirectoryName(destination)!;
        if (!_folders.ContainsKey(folder))
        {
            Directory.CreateDirectory(folder);
            _folders.TryAdd(folder, true);
        }

        var temp = AtomicFile.TempNameFor(destination);
        Exception? last = null;
        foreach (var type in _types)
        {
            try
            {
                Make(type, objectPath, temp, isExecutable);
                try
                {
                    FileCopy.Replace(temp, destination);
                }
                catch (IOException) when (Directory.Exists(destination) && !File.GetAttributes(destination).HasFlag(FileAttributes.ReparsePoint))
                {
                    // A folder where a file belongs (the data changed shape): only then pay for the check.
                    Directory.Delete(destination, recursive: true);
                    File.Move(temp, destination, overwrite: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                last = e;
                if (File.Exists(temp) || Directory.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        throw new IOException($"Cannot place '{destination}' with cache.type {string.Join(',', _types).ToLowerInvariant()}: {last?.Message}", last);
    }

    private void Make(LinkType type, string objectPath, string temp, bool isExecutable)
    {
        switch (type)
        {
            // Clone (FICLONE) where the file system can and copy otherwise, which is reflink-else-copy; created writable.
            case LinkType.Reflink:
            case LinkType.Copy:
                var tryClone = type == LinkType.Reflink && _cloneWorks;
                FileCopy.CopyNew(objectPath, temp, isExecutable ? Writable | Executable : Writable, tryClone, out var cloned);
                if (tryClone && !cloned)
                {
                    _cloneWorks = false;
                }

                break;
            case LinkType.Symlink:
                File.CreateSymbolicLink(temp, Path.GetFullPath(objectPath));
                break;
            case LinkType.Hardlink:
                if (OperatingSystem.IsWindows() || Link(objectPath, temp) != 0)
                {
                    throw new IOException($"hardlink failed (errno {Marshal.GetLastPInvokeError()}).");
                }

                break;
        }
    }

    // link(2): .NET has no managed hard-link API. Plain DllImport with UTF-8 strings needs no unsafe code.
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
