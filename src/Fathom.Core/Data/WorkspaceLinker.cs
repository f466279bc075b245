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
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temp = AtomicFile.TempNameFor(destination);
        Exception? last = null;
        foreach (var type in _types)
        {
            try
            {
                Make(type, objectPath, temp, isExecutable);
                if (Directory.Exists(destination) && !File.GetAttributes(destination).HasFlag(FileAttributes.ReparsePoint))
                {
                    Directory.Delete(destination, recursive: true);
                }

                File.Move(temp, destination, overwrite: true);
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

    private static void Make(LinkType type, string objectPath, string temp, bool isExecutable)
    {
        switch (type)
        {
            // File.Copy clones (FICLONE) where the file system can and copies otherwise, which is reflink-else-copy.
            case LinkType.Reflink:
            case LinkType.Copy:
                File.Copy(objectPath, temp);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temp, isExecutable ? Writable | Executable : Writable);
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
