namespace Fathom.Tracking;

/// <summary>A named group of runs, shaped like MLflow's experiment entity.</summary>
public sealed record Experiment(
    string ExperimentId,
    string Name,
    string ArtifactLocation,
    string LifecycleStage,
    long CreationTime,
    long LastUpdateTime,
    IReadOnlyList<Tag> Tags);
