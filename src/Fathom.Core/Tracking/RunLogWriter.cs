using System.Threading.Channels;

namespace Fathom.Tracking;

/// <summary>
/// Buffers a run's metrics, params and tags and writes them in the background in batches within MLflow's
/// log-batch limits (1000 metrics, 100 params, 100 tags). Logging calls only enqueue, so a training loop is
/// never held up by the store; the queue is bounded so memory stays flat if the store is slow.
/// </summary>
internal sealed class RunLogWriter : IAsyncDisposable
{
    private const int Capacity = 100_000;
    private const int MaxMetrics = 1000;
    private const int MaxParams = 100;
    private const int MaxTags = 100;

    private readonly ITrackingStore _store;
    private readonly string _runId;
    private readonly Channel<object> _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Task _loop;
    private volatile Exception? _failure;

    public RunLogWriter(ITrackingStore store, string runId)
    {
        _store = store;
        _runId = runId;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues an item (a Metric, Param or Tag); waits only while the queue is full.</summary>
    public void Enqueue(object item)
    {
        ThrowIfFailed();
        if (!_queue.Writer.TryWrite(item))
        {
            // Back-pressure: the queue is full because the store is slower than the caller.
            _queue.Writer.WriteAsync(item).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Completes when everything queued before the call is stored; throws the first write error.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(marker, cancellationToken);
        await marker.Task.WaitAsync(cancellationToken);
        ThrowIfFailed();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw new TrackingException(failure is TrackingException t ? t.Code : ErrorCode.InternalError,
                $"Logging to run {_runId} failed: {failure.Message}", failure);
        }
    }

    private async Task WriteLoopAsync()
    {
        var metrics = new List<Metric>(MaxMetrics);
        var parameters = new List<Param>(MaxParams);
        var tags = new List<Tag>(MaxTags);
        var paramKeys = new HashSet<string>(StringComparer.Ordinal);
        var markers = new List<TaskCompletionSource>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryPeek(out var next))
            {
                // A batch may not repeat a param key and must stay within the limits: cut it before overflowing.
                var full = next switch
                {
                    Metric => metrics.Count == MaxMetrics,
                    Param p => parameters.Count == MaxParams || paramKeys.Contains(p.Key),
                    Tag => tags.Count == MaxTags,
                    _ => false,
                } || metrics.Count + parameters.Count + tags.Count >= MaxMetrics;
                if (full)
                {
                    break;
                }

                reader.TryRead(out _);
                switch (next)
                {
                    case Metric m: metrics.Add(m); break;
                    case Param p: parameters.Add(p); paramKeys.Add(p.Key); break;
                    case Tag t: tags.Add(t); break;
                    case TaskCompletionSource marker: markers.Add(marker); break;
                }
            }

            if (_failure is null && metrics.Count + parameters.Count + tags.Count > 0)
            {
                try
                {
                    await _store.LogBatchAsync(_runId, metrics, parameters, tags, CancellationToken.None);
                }
                catch (Exception e) when (e is TrackingException or IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or HttpRequestException)
                {
                    _failure = e;
                }
            }

            metrics.Clear();
            parameters.Clear();
            tags.Clear();
            paramKeys.Clear();
            foreach (var marker in markers)
            {
                marker.TrySetResult();
            }

            markers.Clear();
        }
    }
}
