namespace Fathom.Tracking;

/// <summary>
/// A model logged to an experiment (MLflow 3's LoggedModel): its files live at <paramref name="ArtifactLocation"/>
/// (<c>&lt;experiment's artifact location&gt;/models/&lt;id&gt;/artifacts</c>), apart from any run's, so a model outlives
/// the run that made it and can be registered and loaded as <c>models:/&lt;id&gt;</c>. Its id is <c>m-</c> and 32 hex
/// digits, as MLflow makes them; <c>SourceRunId</c> is the run that made it, when one did; <c>Metrics</c> are every
/// metric point logged with its id, on whichever run and data set.
/// </summary>
internal sealed record LoggedModel(
    string ModelId,
    string ExperimentId,
    string Name,
    string ArtifactLocation,
    long CreationTimestampMs,
    long LastUpdatedTimestampMs,
    LoggedModelStatus Status,
    string? ModelType,
    string? SourceRunId,
    string? StatusMessage,
    IReadOnlyList<Tag> Tags,
    IReadOnlyList<Param> Params,
    IReadOnlyList<LoggedModelMetric> Metrics);

/// <summary>
/// A metric point linked to a logged model (a log-metric or log-batch metric that carried <c>model_id</c>), with the
/// run it was logged on and the data set it was measured on, when the client named one.
/// </summary>
internal sealed record LoggedModelMetric(
    string ModelId,
    string Key,
    double Value,
    long Timestamp,
    long Step,
    string RunId,
    string? DatasetName,
    string? DatasetDigest);

/// <summary>What a new logged model starts with (MLflow's CreateLoggedModel).</summary>
internal sealed record LoggedModelCreation(
    string ExperimentId,
    string? Name,
    string? ModelType,
    string? SourceRunId,
    IReadOnlyList<Param> Params,
    IReadOnlyList<Tag> Tags);
