using Fathom.Sentiment;

namespace Fathom.Serving;

/// <summary>Scores the reviews of one request with the served model, micro-batched with others when that is on, and counts the batch.</summary>
internal sealed class ReviewScorer(SentimentModel model, ServingMetrics? metrics, MicroBatcher? batcher) : IAsyncDisposable
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

        if (batcher is not null && batcher.Takes(texts.Length))
        {
            return await batcher.ScoreAsync(texts, cancellationToken);
        }

        var probabilities = new float[texts.Length];
        model.PredictProbabilities(texts, probabilities);
        metrics?.RecordBatch(texts.Length);
        return probabilities;
    }

    public ValueTask DisposeAsync() => batcher?.DisposeAsync() ?? ValueTask.CompletedTask;
}
