using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fathom.Data;

/// <summary>
/// A copy tuned for the many small files of a data set: one open each side, a read and a write per 1 MiB through a
/// pooled buffer, the new file created with its final mode. <see cref="File.Copy(string, string)"/> also tries a
/// clone, copies times and permissions, and stats the target: about twice the system calls, which dominate at 4 KiB.
/// </summary>
internal static class FileCopy
{
    private const int Chunk = 1 << 20;

    // FICLONE = _IOW(0x94, 9, int): share the source's extents (btrfs, XFS); refused where the file system cannot.
    private const nuint Ficlone = 0x40049409;

    /// <summary>Copies <paramref name="source"/> to the new file <paramref name="destination"/> (which must not exist); returns the bytes copied.</summary>
    public static long CopyNew(string source, string destination, UnixFileMode mode) => CopyNew(source, destination, mode, clone: false, out _);

    /// <summary>
    /// As <see cref="CopyNew(string, string, UnixFileMode)"/>, first trying a copy-on-write clone when
    /// <paramref name="clone"/> (Linux only); <paramref name="cloned"/> says whether it worked, so callers can stop trying.
    /// </summary>
    public static long CopyNew(string source, string destination, UnixFileMode mode, bool clone, out bool cloned)
    {
        cloned = false;
        using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.None);
        var length = RandomAccess.GetLength(input);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using var output = new FileStream(destination, options);
        if (clone && OperatingSystem.IsLinux() && Ioctl(output.SafeFileHandle, Ficlone, input) == 0)
        {
            cloned = true;
            return length;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(length, 1, Chunk));
        try
        {
            long offset = 0;
            int n;
            // Stop at the stat'ed length: the extra read that would find the end costs as much as the copy of a small file.
            while (offset < length && (n = RandomAccess.Read(input, buffer, offset)) > 0)
            {
                // Through the unbuffered stream (a pwrite at its position): taking its SafeFileHandle would cost two
                // lseek calls per file to sync the stream's position.
                output.Write(buffer, 0, n);
                offset += n;
            }

            return offset;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies through user memory where the kernel cannot copy between the two files (see <see cref="UnixFile.TryKernelCopy"/>).</summary>
    public static void CopyByReading(int input, AtomicNewFile output, long length, string source)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(length, 1, Chunk));
        try
        {
            long offset = 0;
            int n;
            while (offset < length && (n = UnixFile.ReadAt(input, buffer, offset, source, 1)) > 0)
            {
                output.Write(buffer.AsSpan(0, n), offset);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Renames a finished temporary file onto its final name, replacing what is there: rename(2) alone, without the two
    /// lstat calls <see cref="File.Move(string, string, bool)"/> makes first.
    /// </summary>
    public static void Replace(string temp, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Move(temp, destination, overwrite: true);
            return;
        }

        if (Rename(temp, destination) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot rename '{temp}' to '{destination}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Ioctl(SafeFileHandle destination, nuint request, SafeFileHandle source);
}
