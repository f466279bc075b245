using System.Runtime.InteropServices;

namespace Fathom.Data;

/// <summary>
/// The few Linux system calls the many-small-files paths (add, push) make directly. .NET's file APIs add an fstat per
/// open, an lseek per <see cref="FileStream"/> and an lstat per existence check; at 4 KiB each of those costs about as
/// much as the copy, and 20,000 files make them a third of <c>data add</c>. File descriptors are plain ints closed in
/// <c>finally</c> blocks: a <c>SafeFileHandle</c> made from one probes it with lseek/fstat on first use.
/// </summary>
internal static class UnixFile
{
    public const int ENOENT = 2;
    public const int EPERM = 1;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENXIO = 6;
    public const int ENOSYS = 38;
    public const int EOPNOTSUPP = 95;

    public const int AtFdCwd = -100;
    public const int AtSymlinkFollow = 0x400;
    public const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxModified = 0x40;

    private const int OReadOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OWriteOnly = 1;
    private const int OCreate = 0x40;
    private const int OExclusive = 0x80;
    private const int OCloseOnExec = 0x80000;

    // O_TMPFILE is __O_TMPFILE | O_DIRECTORY, and O_DIRECTORY differs on Arm (asm/fcntl.h there moves it).
    private static readonly int ODirectory = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x4000 : 0x10000;
    private static readonly int OTmpFile = 0x400000 | ODirectory;

    /// <summary>Linux on x64 or Arm64, where the flag values above hold; elsewhere callers keep the managed path.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Opens a file to read; throws <see cref="FileNotFoundException"/> when it is absent.</summary>
    public static int OpenRead(string path)
    {
        int fd;
        while ((fd = Open(path, OReadOnly | OCloseOnExec, 0)) < 0 && Marshal.GetLastPInvokeError() == EINTR)
        {
        }

        return fd >= 0 ? fd : throw Failure(Marshal.GetLastPInvokeError(), "open", path);
    }

    /// <summary>
    /// The bytes of <paramref name="path"/> when it is a regular file; null, with what it is instead, for a FIFO, a
    /// device or a socket, which a reader must skip: a FIFO with no writer would block the open forever, a device may
    /// never end. Opened without blocking and checked on the open descriptor, so nothing can be swapped in between the
    /// check and the read. Elsewhere than Linux the file is read as it is.
    /// </summary>
    public static byte[]? ReadRegular(string path, out string? kind)
    {
        kind = null;
        if (!IsSupported)
        {
            return File.ReadAllBytes(path);
        }

        int fd;
        while ((fd = Open(path, OReadOnly | ONonBlock | OCloseOnExec, 0)) < 0 && Marshal.GetLastPInvokeError() == EINTR)
        {
        }

        if (fd < 0)
        {
            // A socket cannot be opened at all (ENXIO): it is no file to read either.
            var errno = Marshal.GetLastPInvokeError();
            kind = errno == ENXIO ? "a socket" : null;
            return kind is null ? throw Failure(errno, "open", path) : null;
        }

        try
        {
            var stat = new byte[256];
            if (StatDescriptor(fd, "", AtEmptyPath, StatxType, stat) != 0)
            {
                throw Failure(Marshal.GetLastPInvokeError(), "stat", path);
            }

            // struct statx: stx_mode is a u16 at byte 28; S_IFMT picks the type.
            kind = (BitConverter.ToUInt16(stat, 28) & 0xF000) switch
            {
                0x8000 => null,
                0x1000 => "a FIFO",
                0x2000 => "a character device",
                0x6000 => "a block device",
                0xC000 => "a socket",
                0x4000 => "a folder",
                _ => "not a regular file",
            };
            if (kind is not null)
            {
                return null;
            }

            var content = new byte[Length(fd, path)];
            var read = ReadAt(fd, content, 0, path, content.Length);
            return read == content.Length ? content : content[..read];
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>An unnamed file in <paramref name="folder"/> (O_TMPFILE); -1 with the errno when the file system cannot.</summary>
    public static int OpenUnnamed(string folder, UnixFileMode mode, out int errno)
    {
        var fd = Open(folder, OTmpFile | OWriteOnly | OCloseOnExec, (int)mode);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>Creates a new file that must not exist yet (O_CREAT | O_EXCL) with its final mode.</summary>
    public static int CreateNew(string path, UnixFileMode mode)
    {
        var fd = Open(path, OWriteOnly | OCreate | OExclusive | OCloseOnExec, (int)mode);
        return fd >= 0 ? fd : throw Failure(Marshal.GetLastPInvokeError(), "create", path);
    }

    /// <summary>
    /// Reads at <paramref name="offset"/> until at least <paramref name="minimum"/> bytes are in (a caller that knows the
    /// size from a listing asks for one byte more than it and stops there: one read, which also shows whether the file
    /// grew) or the file ends; returns the bytes read.
    /// </summary>
    public static int ReadAt(int fd, Span<byte> buffer, long offset, string path, int minimum)
    {
        var total = 0;
        while (total < minimum && total < buffer.Length)
        {
            var n = PRead(fd, ref MemoryMarshal.GetReference(buffer[total..]), buffer.Length - total, offset + total);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                throw Failure(errno, "read", path);
            }

            if (n == 0)
            {
                break;
            }

            total += (int)n;
        }

        return total;
    }

    /// <summary>Writes all of <paramref name="content"/> at <paramref name="offset"/>.</summary>
    public static void WriteAt(int fd, ReadOnlySpan<byte> content, long offset, string path)
    {
        var done = 0;
        while (done < content.Length)
        {
            var n = PWrite(fd, ref MemoryMarshal.GetReference(content[done..]), content.Length - done, offset + done);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                throw Failure(errno, "write", path);
            }

            done += (int)n;
        }
    }

    /// <summary>
    /// The last-modified time of the open file, in <see cref="DateTime"/> ticks as the folder walk reads it (statx on
    /// the descriptor: no path to look up again).
    /// </summary>
    public static long ModifiedTicks(int fd, string path)
    {
        var stat = new byte[256];
        if (StatDescriptor(fd, "", AtEmptyPath, StatxModified, stat) != 0)
        {
            throw Failure(Marshal.GetLastPInvokeError(), "stat", path);
        }

        // struct statx: stx_mtime.tv_sec is an s64 at byte 112, tv_nsec a u32 at byte 120.
        return DateTime.UnixEpoch.Ticks + (BitConverter.ToInt64(stat, 112) * TimeSpan.TicksPerSecond) + (BitConverter.ToUInt32(stat, 120) / 100);
    }

    /// <summary>The file's length, from lseek(SEEK_END): one call, and no stat buffer whose layout differs per platform.</summary>
    public static long Length(int fd, string path)
    {
        var length = LSeek(fd, 0, 2);
        return length >= 0 ? length : throw Failure(Marshal.GetLastPInvokeError(), "seek", path);
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes from the start of <paramref name="source"/> in the kernel (copy_file_range:
    /// no trip through user memory; a clone where the file system shares extents). False when the kernel cannot copy
    /// between these two files (EXDEV, EINVAL, ENOSYS, EOPNOTSUPP), so the caller reads and writes instead.
    /// </summary>
    public static bool TryKernelCopy(int source, int destination, long length, string path)
    {
        long inOffset = 0, outOffset = 0;
        while (inOffset < length)
        {
            var n = CopyFileRange(source, ref inOffset, destination, ref outOffset, (nint)Math.Min(length - inOffset, 1L << 30), 0);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (inOffset == 0 && errno is EXDEV or EINVAL or ENOSYS or EOPNOTSUPP)
                {
                    return false;
                }

                throw Failure(errno, "copy", path);
            }

            if (n == 0)
            {
                // The source shrank since its length was taken; what was copied is all there is.
                break;
            }
        }

        return true;
    }

    /// <summary>Gives the unnamed file behind <paramref name="fd"/> the name <paramref name="path"/>; the errno, or 0.</summary>
    public static int LinkUnnamed(int fd, string path, bool viaProc)
    {
        var result = viaProc
            ? LinkAt(AtFdCwd, "/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture), AtFdCwd, path, AtSymlinkFollow)
            : LinkAt(fd, "", AtFdCwd, path, AtEmptyPath);
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>rename(2): replaces what is at <paramref name="to"/>.</summary>
    public static void Rename(string from, string to)
    {
        if (RenameFile(from, to) != 0)
        {
            throw Failure(Marshal.GetLastPInvokeError(), "rename to " + to + " from", from);
        }
    }

    public static void Close(int fd) => _ = CloseFile(fd);

    /// <summary>
    /// Whether a process with this id is running (kill with signal 0: no such process is ESRCH; one of another user is
    /// EPERM, and running). Where that cannot be asked, every process counts as running.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        return Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH;
    }

    /// <summary>An exception that says which call failed on which file, as .NET's own would.</summary>
    public static Exception Failure(int errno, string operation, string path) => errno switch
    {
        ENOENT => new FileNotFoundException($"Cannot {operation} '{path}': no such file or folder.", path),
        _ => new IOException($"Cannot {operation} '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."),
    };

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint PRead(int fd, ref byte buffer, nint count, long offset);

    [DllImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint PWrite(int fd, ref byte buffer, nint count, long offset);

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long LSeek(int fd, long offset, int whence);

    [DllImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint CopyFileRange(int fdIn, ref long offIn, int fdOut, ref long offOut, nint length, uint flags);

    [DllImport("libc", EntryPoint = "linkat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int LinkAt(int oldDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, int flags);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int RenameFile([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int StatDescriptor(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CloseFile(int fd);
}
