using System.Buffers;

namespace Fathom.Http;

/// <summary>
/// A request body read whole into a pooled buffer when it holds at most a cap of bytes, and only counted when it holds
/// more. log-batch reads 70 KB to 1 MB per request: a rented buffer spares the copy and the garbage of a
/// <see cref="MemoryStream"/> grown and copied out again.
/// </summary>
internal sealed class BoundedBody : IDisposable
{
    private const int FirstChunk = 64 * 1024;

    private byte[]? _buffer;

    private BoundedBody(byte[]? buffer, int kept, long length)
    {
        _buffer = buffer;
        Kept = kept;
        Length = length;
    }

    /// <summary>How many bytes the body held.</summary>
    public long Length { get; }

    /// <summary>Whether the body was longer than the cap, so that nothing of it was kept.</summary>
    public bool TooLarge => _buffer is null;

    private int Kept { get; }

    /// <summary>The bytes, empty when the body was too large.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Kept);

    /// <summary>
    /// Reads <paramref name="body"/> to its end (Kestrel's own request-size limit bounds that), so that a refusal
    /// can say how large it was, keeping the bytes only while they are at most <paramref name="max"/>.
    /// </summary>
    public static async Task<BoundedBody> ReadAsync(Stream body, long? declaredLength, long max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        // A declared length sizes the buffer once; a chunked body grows it by doubling.
        var size = declaredLength is { } declared and > 0 ? Math.Min(declared, max) : Math.Min(FirstChunk, max);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(size, 1));
        byte[]? scratch = null;
        var kept = 0;
        long total = 0;
        try
        {
            while (true)
            {
                if (buffer is not null && kept == buffer.Length && kept < max)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, max));
                    buffer.AsSpan(0, kept).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                // Once the body is known to be too large, or fills the buffer at the cap, the rest is only counted.
                var keeping = buffer is not null && kept < buffer.Length;
                var read = keeping
                    ? await body.ReadAsync(buffer.AsMemory(kept), cancellationToken)
                    : await body.ReadAsync(scratch ??= ArrayPool<byte>.Shared.Rent(FirstChunk), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
                kept += keeping ? read : 0;
                if (total > max && buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (BadHttpRequestException) when (total > max)
        {
            // Past Kestrel's limit too: what was counted already proves the body too large.
        }
        catch
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            throw;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        return new BoundedBody(buffer, kept, total);
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
