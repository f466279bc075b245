namespace Fathom.Tracking;

/// <summary>Which runs to list; results come newest first (MLflow's default order: start time descending, then run id).</summary>
public sealed record RunSearch(
    IReadOnlyList<string> ExperimentIds,
    ViewType ViewType = ViewType.ActiveOnly,
    int MaxResults = 1000,
    string? PageToken = null);
