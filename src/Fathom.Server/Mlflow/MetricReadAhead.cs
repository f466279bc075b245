using System.Threading.Channels;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// Enumerates a metric history that another thread reads from the store ahead of the caller, in chunks: stepping
/// through 100,000 rows and formatting them as JSON cost about the same, and with two cores the two overlap
/// instead of taking turns. At most <see cref="ChunksAhead"/> chunks wait, so a slow client holds back the read
/// rather than growing memory; chunks are reused once the caller has moved past them.
/// </summary>
internal sealed class MetricReadAhead : IAsyncEnumerator<MetricPoint>
{
    private const int ChunkPoints = 2048;
    private const int ChunksAhead = 4;

    private readonly Channel<Chunk> _full = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
    private readonly Channel<MetricPoint[]> _free = Channel.CreateUnbounded<MetricPoint[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop;
    private readonly Task _reader;
    private Chunk _current;
    private int _index;

    public MetricReadAhead(IAsyncEnumerable<MetricPoint> source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reader = Task.Run(() => ReadAsync(source, _stop.Token), CancellationToken.None);
    }

    public MetricPoint Current => _current.Points[_index];

    public ValueTask<bool> MoveNextAsync() =>
        _current.Points is not null && ++_index < _current.Count ? ValueTask.FromResult(true) : NextChunkAsync();

    public async ValueTask DisposeAsync()
    {
        // Stops a read the caller no longer wants (a page is full, the client left); the read never throws.
        await _stop.CancelAsync();
        await _reader;
        _stop.Dispose();
    }

    private async ValueTask<bool> NextChunkAsync()
    {
        if (_current.Points is not null)
        {
            _free.Writer.TryWrite(_current.Points);
            _current = default;
        }

        // A failed read completes the channel with its exception, which WaitToReadAsync rethrows as it was.
        while (await _full.Reader.WaitToReadAsync(_stop.Token))
        {
            if (_full.Reader.TryRead(out var chunk))
            {
                (_current, _index) = (chunk, 0);
                return true;
            }
        }

        return false;
    }

    private async Task ReadAsync(IAsyncEnumerable<MetricPoint> source, CancellationToken cancellationToken)
    {
        try
        {
            var points = Rent();
            var count = 0;
            await foreach (var point in source.WithCancellation(cancellationToken))
            {
                points[count++] = point;
                if (count == points.Length)
                {
                    await _full.Writer.WriteAsync(new Chunk(points, count), cancellationToken);
                    (points, count) = (Rent(), 0);
                }
            }

            if (count > 0)
            {
                await _full.Writer.WriteAsync(new Chunk(points, count), cancellationToken);
            }

            _full.Writer.Complete();
        }
        catch (Exception e)
        {
            // The caller meets the failure where it reads next, as if it read the store itself.
            _full.Writer.TryComplete(e);
        }
    }

    private MetricPoint[] Rent() => _free.Reader.TryRead(out var points) ? points : new MetricPoint[ChunkPoints];

    private readonly record struct Chunk(MetricPoint[] Points, int Count);
}
