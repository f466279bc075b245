namespace Fathom.Sentiment;

/// <summary>The column of the model's output that scoring reads.</summary>
internal sealed class SentimentScoreRow
{
    public float Probability { get; set; }
}
