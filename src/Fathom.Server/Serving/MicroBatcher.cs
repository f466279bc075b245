using System.Diagnostics;
using System.Threading.Channels;
using Fathom.Sentiment;

namespace Fathom.Serving;

/// <summary>
/// Scores small requests together: each waits in one queue, and one worker per core takes what is queued (up to
/// <see cref="ServingOptions.MicroBatchMaxReviews"/> reviews, waiting at most <see cref="ServingOptions.MicroBatchWait"/>
/// for more once it holds one) and scores it with one pooled engine. Answers are per request, in request order.
/// </summary>
internal sealed class MicroBatcher : IAsyncDisposable
{
    private readonly SentimentModel _model;
    private readonly ServingMetrics? _metrics;
    private readonly int _maxReviews;
    private readonly long _waitTicks;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { AllowSynchronousContinuations = false });
    private readonly Task[] _workers;

    public MicroBatcher(SentimentModel model, ServingMetrics? metrics, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _model = model;
        _metrics = metrics;
        _maxReviews = options.MicroBatchMaxReviews;
        _waitTicks = (long)(options.MicroBatchWait.TotalSeconds * Stopwatch.Frequency);
        _workers = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(WorkAsync))];
    }

    /// <summary>Whether a request of this many reviews joins a batch (a large one is a batch already).</summary>
    public bool Takes(int reviews) => reviews < _maxReviews;

    public Task<float[]> ScoreAsync(string[] texts, CancellationToken cancellationToken)
    {
        var pending = new Pending(texts);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(MicroBatcher), "The server is stopping.");
        }

        // A request that is cancelled stops waiting; its reviews may still be scored with the batch, unread.
        return pending.Answer.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers);
    }

    private async Task WorkAsync()
    {
        var batch = new List<Pending>();
        var texts = new List<string>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            texts.Clear();
            long deadline = 0;
            while (texts.Count < _maxReviews)
            {
                if (reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                    texts.AddRange(pending.Texts);
                    deadline = deadline == 0 ? Stopwatch.GetTimestamp() + _waitTicks : deadline;
                    continue;
                }

                if (batch.Count == 0 || Stopwatch.GetTimestamp() >= deadline)
                {
                    break;
                }

                // Microseconds are too short for a timer; give the core to the threads that would enqueue more.
                Thread.Yield();
            }

            if (batch.Count > 0)
            {
                Score(batch, texts);
            }
        }
    }

    private void Score(List<Pending> batch, List<string> texts)
    {
        try
        {
            var probabilities = new float[texts.Count];
            _model.PredictProbabilities(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(texts), probabilities);
            _metrics?.RecordBatch(texts.Count);
            var at = 0;
            foreach (var pending in batch)
            {
                pending.Answer.TrySetResult(probabilities[at..(at + pending.Texts.Length)]);
                at += pending.Texts.Length;
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Answer.TrySetException(e);
            }
        }
    }

    private sealed class Pending(string[] texts)
    {
        public string[] Texts { get; } = texts;

        // Continuations run on the pool, not on the worker, which goes straight back to the queue.
        public TaskCompletionSource<float[]> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
