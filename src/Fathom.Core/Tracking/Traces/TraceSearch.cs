namespace Fathom.Tracking;

/// <summary>
/// Which traces to list: MLflow's SearchTraces. <paramref name="Filter"/> uses its trace grammar
/// (<c>trace.status = 'OK' AND tags.topic = 'x'</c>); without an order, traces come newest first, then by id.
/// </summary>
internal sealed record TraceSearch(
    IReadOnlyList<string> ExperimentIds,
    string? Filter = null,
    int MaxResults = TraceSearch.DefaultMaxResults,
    IReadOnlyList<string>? OrderBy = null,
    string? PageToken = null)
{
    /// <summary>The page size when none is asked for (the proto's default).</summary>
    public const int DefaultMaxResults = 100;

    /// <summary>The largest page MLflow's server answers.</summary>
    public const int MaxMaxResults = 500;
}

/// <summary>One page of traces and the token of the next page, null on the last page.</summary>
internal sealed record TracesPage(IReadOnlyList<TraceInfo> Traces, string? NextPageToken);

/// <summary>
/// Which traces of an experiment DeleteTraces removes: the oldest up to a time (at most <paramref name="MaxTraces"/> of
/// them), or those with the given ids; exactly one of the two.
/// </summary>
internal sealed record TraceDeletion(string ExperimentId, long? MaxTimestampMillis, int? MaxTraces, IReadOnlyList<string> RequestIds);
