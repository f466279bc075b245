using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

// DVC identifies content by MD5; the hash names data, it protects nothing, so the weak-crypto rule does not apply.
#pragma warning disable CA5351

namespace Fathom.Data;

/// <summary>
/// Synchronous MD5 of a file's raw bytes, tuned for many small files: one open, one read into a pooled buffer and one
/// hash call for files up to 1 MiB; streaming for larger ones. Callers parallelise across files.
/// </summary>
internal static class FileMd5
{
    /// <summary>Files up to this size are read whole in one call.</summary>
    public const int SmallFile = 1 << 20;

    public static string Hash(string path) => Hash(path, null);

    /// <summary>Hashes the file; for a small file, <paramref name="onSmallContent"/> sees its bytes before they go back to the pool.</summary>
    public static string Hash(string path, SmallContentHandler? onSmallContent)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.None);
        var length = RandomAccess.GetLength(handle);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(length, 1), SmallFile));
        try
        {
            if (length <= SmallFile)
            {
                var read = ReadFully(handle, buffer.AsSpan(0, (int)length), 0);
                var md5 = Convert.ToHexStringLower(MD5.HashData(buffer.AsSpan(0, read)));
                onSmallContent?.Invoke(md5, buffer.AsSpan(0, read));
                return md5;
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            long offset = 0;
            int n;
            while ((n = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                offset += n;
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// As <see cref="Hash(string, SmallContentHandler?)"/> for a file whose size a folder listing already gave: on Linux
    /// one open, one read and one close, without the fstat .NET makes per open. A file that grew since the listing is
    /// hashed whole by the general path.
    /// </summary>
    public static string Hash(string path, long listedSize, SmallContentHandler? onSmallContent)
    {
        if (!UnixFile.IsSupported || listedSize >= SmallFile)
        {
            return Hash(path, onSmallContent);
        }

        var size = (int)listedSize;
        var fd = UnixFile.OpenRead(path);
        var buffer = ArrayPool<byte>.Shared.Rent(size + 1);
        try
        {
            // Room for one byte more than listed: a single read then says whether the file grew.
            var read = UnixFile.ReadAt(fd, buffer.AsSpan(0, size + 1), 0, path, size);
            if (read <= size)
            {
                var md5 = Convert.ToHexStringLower(MD5.HashData(buffer.AsSpan(0, read)));
                onSmallContent?.Invoke(md5, buffer.AsSpan(0, read));
                return md5;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            UnixFile.Close(fd);
        }

        return Hash(path, onSmallContent);
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        int n;
        while (total < buffer.Length && (n = RandomAccess.Read(handle, buffer[total..], offset + total)) > 0)
        {
            total += n;
        }

        return total;
    }
}
