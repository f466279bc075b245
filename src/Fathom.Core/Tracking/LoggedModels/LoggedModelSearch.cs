namespace Fathom.Tracking;

/// <summary>
/// Which logged models to list (MLflow's SearchLoggedModels): <paramref name="Filter"/> in MLflow's grammar over the
/// attributes (<c>name</c>, <c>model_type</c>, <c>status</c>, <c>source_run_id</c>, <c>model_id</c>,
/// <c>creation_timestamp</c>, <c>last_updated_timestamp</c>), <c>params.</c>, <c>tags.</c> and <c>metrics.</c>; metric
/// clauses count only points measured on one of <paramref name="Datasets"/> when any are given. Without an order, the
/// newest model comes first, then by id.
/// </summary>
internal sealed record LoggedModelSearch(
    IReadOnlyList<string> ExperimentIds,
    string? Filter = null,
    IReadOnlyList<LoggedModelDataset>? Datasets = null,
    int MaxResults = LoggedModelSearch.DefaultMaxResults,
    IReadOnlyList<LoggedModelOrder>? OrderBy = null,
    string? PageToken = null)
{
    /// <summary>The page size when none is asked for, and the largest (the proto's "max threshold is 50").</summary>
    public const int DefaultMaxResults = 50;
}

/// <summary>A data set a search's metric clauses are restricted to: its name, and its digest when given.</summary>
internal sealed record LoggedModelDataset(string Name, string? Digest);

/// <summary>
/// One order term of a search: a field (<c>creation_timestamp</c>, <c>name</c>, <c>metrics.accuracy</c>, …) and its
/// direction; a metric may be ordered by its value on one data set.
/// </summary>
internal sealed record LoggedModelOrder(string FieldName, bool Ascending = true, string? DatasetName = null, string? DatasetDigest = null);

/// <summary>One page of logged models and the token of the next page, null on the last page.</summary>
internal sealed record LoggedModelsPage(IReadOnlyList<LoggedModel> Models, string? NextPageToken);
