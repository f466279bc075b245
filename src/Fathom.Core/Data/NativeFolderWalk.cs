using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Fathom.Data;

/// <summary>
/// Lists a folder on Linux with <c>readdir</c> and <c>statx</c> relative to the open folder: the managed enumerator
/// stats each entry by its full path, so the kernel walks every component of it again for each of 20,000 files, and it
/// builds a <c>FileSystemEntry</c> and a full path per entry besides. Visits entries in the managed enumerator's order
/// (each folder's entries in <c>readdir</c> order, subfolders breadth first) and sees them as it does: a symbolic link
/// to a folder is a folder, sizes and times are the link's own. Any failure returns false, and the caller lists with
/// the managed enumerator instead, which reports the error as it always has.
/// </summary>
internal static class NativeFolderWalk
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

    // glibc's struct dirent64, the same on x86-64 and arm64: d_ino, d_off (8 bytes each), d_reclen (2), d_type (1), d_name.
    private const int TypeOffset = 18;
    private const int NameOffset = 19;

    private static int _unavailable;

    /// <summary>An entry seen by the walk: its folder (full path), name, and stat.</summary>
    public delegate void Visit(string directory, string name, bool isDirectory, long size, long mtimeTicks);

    /// <summary>Linux on x86-64 or arm64 with glibc's <c>readdir64</c> and <c>statx</c> (checked at first use).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Volatile.Read(ref _unavailable) == 0
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>
    /// Walks <paramref name="root"/> (and, with <paramref name="recurse"/>, the folders <paramref name="descend"/>
    /// accepts), calling <paramref name="visit"/> for every entry but <c>.</c> and <c>..</c>; folders are visited
    /// without a stat (size and time 0). False when anything failed; what was visited must then be discarded.
    /// </summary>
    public static bool TryWalk(string root, bool recurse, Func<string, string, bool> descend, Visit visit)
    {
        ArgumentNullException.ThrowIfNull(descend);
        ArgumentNullException.ThrowIfNull(visit);
        var buffer = new byte[StatxSize];
        var pending = new Queue<string>();
        pending.Enqueue(root);
        try
        {
            while (pending.TryDequeue(out var directory))
            {
                if (!TryWalkOne(directory, recurse ? pending : null, descend, visit, buffer))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without these (musl has no readdir64): the managed enumerator from now on.
            Volatile.Write(ref _unavailable, 1);
            return false;
        }
    }

    private static bool TryWalkOne(string directory, Queue<string>? pending, Func<string, string, bool> descend, Visit visit, byte[] buffer)
    {
        var handle = OpenDir(directory);
        if (handle == IntPtr.Zero)
        {
            return false;
        }

        try
        {
            var fd = DirFd(handle);
            Marshal.SetLastPInvokeError(0);
            IntPtr entry;
            while ((entry = ReadDir(handle)) != IntPtr.Zero)
            {
                var namePointer = entry + NameOffset;
                var name = Marshal.PtrToStringUTF8(namePointer)!;
                if (name is "." or "..")
                {
                    continue;
                }

                var type = Marshal.ReadByte(entry, TypeOffset);
                var isDirectory = type == DirectoryType;
                if (type is LinkType or UnknownType)
                {
                    // A link counts as a folder when its target is one (a dangling link is a file), as in .NET.
                    var flags = type == LinkType ? 0 : SymlinkNoFollow;
                    isDirectory = Statx(fd, namePointer, flags, TypeMask, buffer) == 0
                        && (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)) & ModeTypeBits) == ModeDirectory;
                }

                if (isDirectory)
                {
                    visit(directory, name, true, 0, 0);
                    if (pending is not null && descend(directory, name))
                    {
                        pending.Enqueue(Path.Join(directory, name));
                    }

                    continue;
                }

                if (Statx(fd, namePointer, SymlinkNoFollow, SizeAndTimeMask, buffer) != 0)
                {
                    return false;
                }

                var size = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(40));
                var seconds = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(112));
                var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(120));
                visit(directory, name, false, size, DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond + nanoseconds / 100);
            }

            // readdir returns null both at the end and on an error; only errno tells them apart.
            return Marshal.GetLastPInvokeError() == 0;
        }
        finally
        {
            _ = CloseDir(handle);
        }
    }

    [DllImport("libc", EntryPoint = "opendir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr OpenDir([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libc", EntryPoint = "readdir64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr ReadDir(IntPtr directory);

    [DllImport("libc", EntryPoint = "dirfd")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int DirFd(IntPtr directory);

    [DllImport("libc", EntryPoint = "closedir")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseDir(IntPtr directory);

    // statx(2) rather than fstatat: its struct has one layout on every architecture.
    [DllImport("libc", EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directoryFd, IntPtr path, int flags, uint mask, byte[] buffer);
}
