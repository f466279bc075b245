namespace Fathom.Tracking;

/// <summary>
/// Which experiments to list: MLflow's SearchExperiments, filtering on <c>name</c>, <c>creation_time</c>,
/// <c>last_update_time</c> and <c>tags.&lt;key&gt;</c>, ordered by those attributes or <c>experiment_id</c>.
/// </summary>
public sealed record ExperimentSearch(
    ViewType ViewType = ViewType.ActiveOnly,
    int MaxResults = 1000,
    string? PageToken = null,
    string? Filter = null,
    IReadOnlyList<string>? OrderBy = null);
