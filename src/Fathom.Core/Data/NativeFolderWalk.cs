using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Fathom.Data;

/// <summary>
/// Lists a folder on Linux with <c>getdents64</c> and <c>statx</c> relative to the open folder: the managed enumerator
/// stats each entry by its full path, so the kernel walks every component of it again for each of 20,000 files, and it
/// builds a <c>FileSystemEntry</c>, a full path and a name string per entry besides. Here a file costs one
/// <c>statx</c> and a few bytes appended to its folder's <see cref="FolderListing"/>; each folder is one work item, so
/// both cores stat at once. Lists in the managed enumerator's order (the walked folder's files, then each subfolder's
/// tree breadth first, entries in <c>readdir</c> order) and sees entries as it does: a symbolic link to a folder is a
/// folder, sizes and times are the link's own. Any failure returns null, and the caller lists with the managed
/// enumerator instead, which reports the error as it always has. The calls are source-generated and blittable (no
/// strings, no errno), so ReadyToRun precompiles them instead of the JIT building marshalling stubs at run time.
/// </summary>
internal static unsafe partial class NativeFolderWalk
{
    private const byte DirectoryType = 4;
    private const byte LinkType = 10;
    private const byte UnknownType = 0;
    private const int SymlinkNoFollow = 0x100;
    private const uint TypeMask = 0x1;
    private const uint SizeAndTimeMask = 0x1 | 0x40 | 0x200;
    private const int ModeDirectory = 0x4000;
    private const int ModeTypeBits = 0xF000;
    private const int StatxSize = 256;
    private const int OpenCloseOnExec = 0x80000;
    private const int DirentBufferSize = 32 * 1024;

    // struct linux_dirent64: d_ino, d_off (8 bytes each), d_reclen (2), d_type (1), d_name (NUL-terminated).
    private const int RecordLengthOffset = 16;
    private const int TypeOffset = 18;
    private const int NameOffset = 19;

    // asm/fcntl.h on Arm moves O_DIRECTORY.
    private static readonly int OpenDirectoryFlags = OpenCloseOnExec
        | (RuntimeInformation.ProcessArchitecture is Architecture.Arm64 ? 0x4000 : 0x10000);

    private static int _unavailable;

    /// <summary>Whether an entry is left out: its folder's path below the walked one, its name, and whether it is a folder.</summary>
    public delegate bool IgnoreCheck(string relativeDirectory, ReadOnlySpan<char> name, bool isDirectory);

    /// <summary>Linux on x86-64 or arm64 with glibc's <c>getdents64</c> and <c>statx</c> (checked at first use).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Volatile.Read(ref _unavailable) == 0
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>
    /// The files under <paramref name="root"/>, folder by folder in listing order, leaving out what
    /// <paramref name="isIgnored"/> hides (a name and whether it is a folder; the folder's path below the root is
    /// passed too, for rules that look at more than the name). Null when anything failed.
    /// </summary>
    /// <exception cref="DataException">A <c>.dvcignore</c> file inside the folder.</exception>
    public static List<FolderListing>? TryList(string root, IgnoreCheck isIgnored, int threads)
    {
        ArgumentNullException.ThrowIfNull(isIgnored);
        var top = new FolderListing(root, "");
        try
        {
            if (!TryListOne(top, isIgnored, new byte[DirentBufferSize]) || (top.Subfolders.Count > 0 && !new WorkQueue(top.Subfolders, isIgnored).Run(threads)))
            {
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without these (musl, or glibc before 2.30): the managed enumerator from now on.
            Volatile.Write(ref _unavailable, 1);
            return null;
        }

        // Each subfolder of the root is listed breadth first, as the managed enumerator's own recursion does.
        var ordered = new List<FolderListing> { top };
        foreach (var subfolder in top.Subfolders)
        {
            var start = ordered.Count;
            ordered.Add(subfolder);
            for (var i = start; i < ordered.Count; i++)
            {
                ordered.AddRange(ordered[i].Subfolders);
            }
        }

        return ordered;
    }

    private static bool TryListOne(FolderListing folder, IgnoreCheck isIgnored, byte[] buffer)
    {
        var fd = OpenDirectory(folder.FullPath);
        if (fd < 0)
        {
            return false;
        }

        var stat = stackalloc byte[StatxSize];
        Span<char> name = stackalloc char[256];
        try
        {
            fixed (byte* entries = buffer)
            {
                nint read;
                while ((read = GetDents64(fd, entries, buffer.Length)) > 0)
                {
                    for (nint offset = 0; offset < read; offset += BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(entries + offset + RecordLengthOffset, 2)))
                    {
                        var entry = entries + offset;
                        var recordLength = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(entry + RecordLengthOffset, 2));
                        var nameBytes = new ReadOnlySpan<byte>(entry + NameOffset, recordLength - NameOffset);
                        nameBytes = nameBytes[..nameBytes.IndexOf((byte)0)];
                        if (nameBytes is [(byte)'.'] or [(byte)'.', (byte)'.'])
                        {
                            continue;
                        }

                        // A name has at most 255 bytes, so at most 255 UTF-16 chars; bad UTF-8 becomes U+FFFD, as in .NET.
                        var chars = name[..Encoding.UTF8.GetChars(nameBytes, name)];
                        var type = entry[TypeOffset];
                        var isDirectory = type == DirectoryType;
                        if (type is LinkType or UnknownType)
                        {
                            // A link counts as a folder when its target is one (a dangling link is a file), as in .NET.
                            var flags = type == LinkType ? 0 : SymlinkNoFollow;
                            isDirectory = Statx(fd, entry + NameOffset, flags, TypeMask, stat) == 0
                                && (BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(stat + 28, 2)) & ModeTypeBits) == ModeDirectory;
                        }

                        if (isDirectory)
                        {
                            if (!isIgnored(folder.RelativeDirectory, chars, true))
                            {
                                var relative = folder.RelativeDirectory.Length == 0 ? chars.ToString() : string.Concat(folder.RelativeDirectory, "/", chars);
                                folder.Subfolders.Add(new FolderListing(Path.Join(folder.FullPath, chars), relative));
                            }

                            continue;
                        }

                        if (chars.SequenceEqual(DvcIgnore.FileName))
                        {
                            throw WorkspaceHasher.MisplacedIgnoreFile(Path.Join(folder.FullPath, chars));
                        }

                        if (isIgnored(folder.RelativeDirectory, chars, false))
                        {
                            continue;
                        }

                        if (Statx(fd, entry + NameOffset, SymlinkNoFollow, SizeAndTimeMask, stat) != 0)
                        {
                            return false;
                        }

                        var size = BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(stat + 40, 8));
                        var seconds = BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(stat + 112, 8));
                        var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(stat + 120, 4));
                        folder.Add(chars, size, DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond + nanoseconds / 100);
                    }
                }

                // 0 at the end of the folder, -1 on an error.
                return read == 0;
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static int OpenDirectory(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(path.Length) + 1];
        bytes[Encoding.UTF8.GetBytes(path, bytes)] = 0;
        fixed (byte* pointer = bytes)
        {
            return Open(pointer, OpenDirectoryFlags);
        }
    }

    // Not SafeHandles or SetLastError: any failure only sends the caller to the managed listing, so errno is not needed.
    [LibraryImport("libc", EntryPoint = "open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "getdents64")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint GetDents64(int fd, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Close(int fd);

    // statx(2) rather than fstatat: its struct has one layout on every architecture.
    [LibraryImport("libc", EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Statx(int directoryFd, byte* path, int flags, uint mask, byte* buffer);
}
