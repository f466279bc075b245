namespace Fathom.Workflows;

/// <summary>A finished training run: its id, metrics and where its model is.</summary>
internal sealed record TrainingOutcome(
    string RunId,
    IReadOnlyDictionary<string, double> Metrics,
    string ModelUri,
    int TrainCount,
    int ValidationCount,
    int TestCount,
    int SkippedFiles,
    TimeSpan Duration);
