namespace Fathom.Sentiment;

/// <summary>Which engine a loaded <see cref="SentimentModel"/> scores with.</summary>
internal enum SentimentScoring
{
    /// <summary>The direct linear scorer when the model's shape allows it and it agrees with ML.NET on probe texts; else ML.NET.</summary>
    Auto,

    /// <summary>ML.NET's prediction engines always (the reference the direct scorer is checked against).</summary>
    MlNet,
}
