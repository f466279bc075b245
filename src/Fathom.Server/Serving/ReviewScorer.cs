using Fathom.Monitoring;
using Fathom.Sentiment;

namespace Fathom.Serving;

/// <summary>Scores the reviews of one request with the served model, micro-batched with others when that is on, and counts the batch.</summary>
internal sealed class ReviewScorer(SentimentModel model, ServingMetrics? metrics, MicroBatcher? batcher, PredictionLog? log = null) : IAsyncDisposable
{
    /// <summary>The probability that each review is positive, in order.</summary>
    public async ValueTask<float[]> ScoreAsync(string[] texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        cancellationToken.ThrowIfCancellationRequested();
        if (texts.Length == 0)
        {
            return [];
        }

        float[] probabilities;
        if (batcher is not null && batcher.Takes(texts.Length))
        {
            probabilities = await batcher.ScoreAsync(texts, cancellationToken);
        }
        else
        {
            probabilities = new float[texts.Length];
            model.PredictProbabilities(texts, probabilities);
            metrics?.RecordBatch(texts.Length);
        }

        log?.Offer(texts, probabilities);
        return probabilities;
    }

    public async ValueTask DisposeAsync()
    {
        if (batcher is not null)
        {
            await batcher.DisposeAsync();
        }

        if (log is not null)
        {
            await log.DisposeAsync();
        }
    }
}
