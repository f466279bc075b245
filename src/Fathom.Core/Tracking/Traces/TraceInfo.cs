namespace Fathom.Tracking;

/// <summary>
/// A trace's record in the tracking store (MLflow's TraceInfo, v2): its id, experiment, start and duration in
/// milliseconds, status, the metadata of the request it traced and its tags. The spans are not here: they are the
/// trace's artifact (<c>traces.json</c> under the location in its <see cref="TraceTags.ArtifactLocation"/> tag).
/// </summary>
internal sealed record TraceInfo(
    string RequestId,
    string ExperimentId,
    long TimestampMs,
    long? ExecutionTimeMs,
    TraceStatus Status,
    IReadOnlyList<Tag> RequestMetadata,
    IReadOnlyList<Tag> Tags);

/// <summary>The trace tags and metadata keys MLflow itself reads.</summary>
internal static class TraceTags
{
    /// <summary>Where the trace's data (its spans, <c>traces.json</c>) is kept: set by the store when the trace starts.</summary>
    public const string ArtifactLocation = "mlflow.artifactLocation";

    /// <summary>The trace's name, searched as the attribute <c>name</c>.</summary>
    public const string TraceName = "mlflow.traceName";

    /// <summary>The run the trace was made in (request metadata), searched as the attribute <c>run_id</c>.</summary>
    public const string SourceRun = "mlflow.sourceRun";

    /// <summary>The file of a trace's spans, below its artifact location.</summary>
    public const string DataFile = "traces.json";
}
