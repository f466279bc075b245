using System.Runtime.InteropServices;

namespace Fathom.Data;

/// <summary>
/// Places cached objects in the workspace with the first link type of <c>cache.type</c> that works (DVC's default
/// <c>reflink,copy</c>). Each file gets its name only once it is whole (on Linux an unnamed file linked in, elsewhere a
/// temporary name renamed into place), so an interrupted checkout never leaves half a file. Copies are writable; links
/// share the read-only cache object.
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

    /// <summary>
    /// Puts the object at <paramref name="destination"/>; for a copy made on Linux, its size and last-modified time read
    /// from its descriptor (the stat cache's record of it, with no second lookup of the path), else null.
    /// </summary>
    public (long Length, long ModifiedTicks)? Place(string objectPath, string destination, bool isExecutable)
    {
        // One mkdir per folder rather than a stat per file: a checkout of a tracked folder places thousands of files in few folders.
        var folder = Path.GetDirectoryName(destination)!;
        if (!_folders.ContainsKey(folder))
        {
            Directory.CreateDirectory(folder);
            _folders.TryAdd(folder, true);
        }

        string? temp = null;
        Exception? last = null;
        foreach (var type in _types)
        {
            try
            {
                if (type is LinkType.Reflink or LinkType.Copy && UnixFile.IsSupported)
                {
                    return CopyUnnamed(objectPath, destination, isExecutable ? Writable | Executable : Writable);
                }

                temp ??= AtomicFile.TempNameFor(destination);
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

                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                last = e;
                if (temp is not null && (File.Exists(temp) || Directory.Exists(temp)))
                {
                    File.Delete(temp);
                }
            }
        }

        throw new IOException($"Cannot place '{destination}' with cache.type {string.Join(',', _types).ToLowerInvariant()}: {last?.Message}", last);
    }

    /// <summary>
    /// A copy on Linux: an unnamed file (O_TMPFILE) filled by copy_file_range, which the kernel does without a trip
    /// through user memory and turns into a clone where the file system shares extents (what reflink asks for), then
    /// linked in under its name. Per file that is two opens, one copy and one link: no temporary name to create and
    /// rename, and none of the extra stat and seek calls of a managed stream.
    /// </summary>
    private static (long Length, long ModifiedTicks) CopyUnnamed(string objectPath, string destination, UnixFileMode mode)
    {
        using var file = AtomicNewFile.Create(destination, mode);
        var length = file.CopyIn(objectPath);
        var modified = UnixFile.ModifiedTicks(file.Descriptor, destination);
        try
        {
            file.Commit(replace: true);
        }
        catch (IOException) when (Directory.Exists(destination) && !File.GetAttributes(destination).HasFlag(FileAttributes.ReparsePoint))
        {
            // A folder where a file belongs (the data changed shape): only then pay for the check. The unnamed file was
            // linked once already and cannot be again, so the copy is made anew.
            Directory.Delete(destination, recursive: true);
            return CopyUnnamed(objectPath, destination, mode);
        }

        return (length, modified);
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
