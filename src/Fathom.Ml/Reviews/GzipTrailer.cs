using System.Buffers.Binary;

namespace Fathom.Reviews;

/// <summary>
/// Tells a complete gzip file from a truncated one. .NET's GZipStream ends quietly when the compressed data stops
/// early (a half-copied download reads as a shorter file), so the text read is checked against the size the gzip
/// trailer records (ISIZE, RFC 1952: the uncompressed length modulo 2^32), which a cut-off file no longer ends with.
/// </summary>
internal static class GzipTrailer
{
    public static void EnsureComplete(string path, long textBytesRead, int reviewsRead)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        Span<byte> size = stackalloc byte[4];
        if (file.Length >= 18)
        {
            file.Seek(-4, SeekOrigin.End);
            file.ReadExactly(size);
            if (BinaryPrimitives.ReadUInt32LittleEndian(size) == (uint)textBytesRead)
            {
                return;
            }
        }

        throw new InvalidDataException(
            $"{path}: the gzip data ends early (the file is truncated or damaged): {reviewsRead:N0} reviews and {textBytesRead:N0} bytes of text read before it stopped, "
            + "and the rest is lost. Copy or download the file again (a file made by joining several .gz files: recompress it with `zcat FILE | gzip > NEW`).");
    }
}
