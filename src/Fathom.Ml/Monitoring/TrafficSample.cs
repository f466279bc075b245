namespace Fathom.Monitoring;

/// <summary>
/// The values of the monitored features over a set of scored reviews: the training baseline saved with a model, or
/// the recent traffic read back from an endpoint's prediction log.
/// </summary>
internal sealed class TrafficSample
{
    public List<double> Scores { get; } = [];

    public List<double> Words { get; } = [];

    /// <summary>Empty when no vocabulary was known (older models).</summary>
    public List<double> OutOfVocabularyRates { get; } = [];

    public int Count => Scores.Count;

    public void Add(double score, ReviewTraits traits)
    {
        Scores.Add(score);
        Words.Add(traits.Words);
        if (!double.IsNaN(traits.OutOfVocabularyRate))
        {
            OutOfVocabularyRates.Add(traits.OutOfVocabularyRate);
        }
    }

    /// <summary>The share of reviews predicted positive (score above 0.5, as the serving API labels them).</summary>
    public double PositiveRate => Scores.Count == 0 ? double.NaN : Scores.Count(s => s > 0.5) / (double)Scores.Count;
}
