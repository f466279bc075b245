namespace Fathom.Tracking;

/// <summary>
/// Which runs to list: MLflow's SearchRuns. <paramref name="Filter"/> uses MLflow's filter grammar
/// (<c>metrics.acc &gt; 0.5 AND params.model = 'lr'</c>); <paramref name="OrderBy"/> holds keys such as
/// <c>metrics.acc DESC</c>. Without an order, runs come newest first (start time descending, then run id).
/// </summary>
public sealed record RunSearch(
    IReadOnlyList<string> ExperimentIds,
    ViewType ViewType = ViewType.ActiveOnly,
    int MaxResults = 1000,
    string? PageToken = null,
    string? Filter = null,
    IReadOnlyList<string>? OrderBy = null);
