using System.Buffers;
using System.Security.Cryptography;

// DVC identifies content by MD5; the hash names data, it protects nothing, so the weak-crypto rule does not apply.
#pragma warning disable CA5351

namespace Fathom.Data;

/// <summary>
/// DVC 2.x's file hash ("md5-dos2unix"), which DVC 3 still uses to check outputs recorded without <c>hash: md5</c>:
/// a text file (judged from its first 512 bytes) is hashed with each CRLF turned into LF, 1 MiB at a time as 2.x read
/// it (a CRLF split across two reads stays); any other file is hashed raw.
/// </summary>
internal static class LegacyMd5
{
    private const int Chunk = 1 << 20;

    public static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            bool? text = null;
            int n;
            while ((n = ReadChunk(stream, buffer)) > 0)
            {
                text ??= IsText(buffer.AsSpan(0, Math.Min(n, 512)));
                if (text.Value)
                {
                    AppendDos2Unix(hash, buffer.AsSpan(0, n));
                }
                else
                {
                    hash.AppendData(buffer, 0, n);
                }
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>DVC's <c>istextblock</c>: no NUL byte, and at most 30 % of bytes outside printable ASCII and common controls.</summary>
    public static bool IsText(ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty)
        {
            return true;
        }

        if (block.Contains((byte)0))
        {
            return false;
        }

        var binary = 0;
        foreach (var b in block)
        {
            if (!(b is >= 0x20 and <= 0x7e or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\f' or (byte)'\b'))
            {
                binary++;
            }
        }

        return binary <= 0.30 * block.Length;
    }

    private static void AppendDos2Unix(IncrementalHash hash, ReadOnlySpan<byte> chunk)
    {
        while (chunk.Length > 0)
        {
            var crlf = chunk.IndexOf("\r\n"u8);
            if (crlf < 0)
            {
                hash.AppendData(chunk);
                return;
            }

            hash.AppendData(chunk[..crlf]);
            hash.AppendData("\n"u8);
            chunk = chunk[(crlf + 2)..];
        }
    }

    private static int ReadChunk(Stream stream, byte[] buffer)
    {
        var total = 0;
        int n;
        while (total < Chunk && (n = stream.Read(buffer, total, Chunk - total)) > 0)
        {
            total += n;
        }

        return total;
    }
}
