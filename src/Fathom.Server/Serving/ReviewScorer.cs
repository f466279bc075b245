using Fathom.Sentiment;

namespace Fathom.Serving;

/// <summary>Scores the reviews of one request with the served model, and counts the batch.</summary>
internal sealed class ReviewScorer(SentimentModel model, ServingMetrics? metrics)
{
    /// <summary>The probability that each review is positive, in order.</summary>
    public ValueTask<float[]> ScoreAsync(string[] texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        cancellationToken.ThrowIfCancellationRequested();
        var probabilities = new float[texts.Length];
        if (texts.Length > 0)
        {
            model.PredictProbabilities(texts, probabilities);
            metrics?.RecordBatch(texts.Length);
        }

        return ValueTask.FromResult(probabilities);
    }
}
