namespace Fathom.Tracking;

/// <summary>A run's metadata, shaped like MLflow's <c>RunInfo</c>.</summary>
public sealed record RunInfo(
    string RunId,
    string RunName,
    string ExperimentId,
    string UserId,
    RunStatus Status,
    long StartTime,
    long? EndTime,
    string ArtifactUri,
    string LifecycleStage);
