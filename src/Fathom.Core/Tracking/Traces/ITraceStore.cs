namespace Fathom.Tracking;

/// <summary>
/// The traces a tracking store keeps (MLflow's tracing API, v2, as its 2.14+ clients call it). A store that has
/// them implements this beside <see cref="ITrackingStore"/>; the server answers the trace routes from it.
/// </summary>
internal interface ITraceStore
{
    /// <summary>
    /// Records a new trace in an active experiment, IN_PROGRESS, with a fresh id and the tag that says where its data
    /// goes (<c>&lt;experiment's artifact location&gt;/traces/&lt;id&gt;/artifacts</c>).
    /// </summary>
    Task<TraceInfo> StartTraceAsync(string experimentId, long timestampMs, IReadOnlyList<Tag> requestMetadata, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a trace: its duration from <paramref name="timestampMs"/>, its status, and metadata and tags merged in (but
    /// the data location tag, which stays as the store set it).
    /// </summary>
    Task<TraceInfo> EndTraceAsync(string requestId, long timestampMs, TraceStatus status, IReadOnlyList<Tag> requestMetadata, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>The trace with this id, or null.</summary>
    Task<TraceInfo?> GetTraceInfoAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>Traces of the given experiments matching the filter, in the requested order, one page at a time.</summary>
    Task<TracesPage> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken);

    /// <summary>Deletes traces of one experiment and returns how many went.</summary>
    Task<int> DeleteTracesAsync(TraceDeletion deletion, CancellationToken cancellationToken);

    /// <summary>
    /// Sets (upserts) a tag on a trace; the value is shortened to 8,000 characters as MLflow does. The data location tag
    /// is refused: the server serves the trace's spans from where it points.
    /// </summary>
    Task SetTraceTagAsync(string requestId, Tag tag, CancellationToken cancellationToken);

    /// <summary>Removes a tag from a trace; an absent tag is RESOURCE_DOES_NOT_EXIST.</summary>
    Task DeleteTraceTagAsync(string requestId, string key, CancellationToken cancellationToken);
}
