using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Fathom.Data;

/// <summary>
/// The size stat(2) reports for any path, folders included (.NET reports none for a folder): <c>dvc ls</c> shows a
/// workspace folder's st_size, as fsspec's local file system reports it.
/// </summary>
internal static class UnixStat
{
    private const int AtCurrentDirectory = -100;
    private const uint SizeMask = 0x200;
    private const int SizeOffset = 40;

    /// <summary>st_size of <paramref name="path"/> (symlinks followed); 0 where statx is not available.</summary>
    public static long Size(string path)
    {
        if (!UnixFile.IsSupported)
        {
            return 0;
        }

        // struct statx has one layout on every architecture; stx_size sits at byte 40.
        var buffer = new byte[256];
        return Statx(AtCurrentDirectory, path, 0, SizeMask, buffer) == 0 ? BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(SizeOffset)) : 0;
    }

    [DllImport("libc", EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
