namespace Fathom.Tracking;

/// <summary>
/// The tracking store port: experiments, runs and their data. SQLite implements it for local use; a
/// PostgreSQL store and the MLflow REST client implement the same contract, so the SDK and the CLI have
/// one code path whatever the backend (the design MLflow uses for its stores).
/// </summary>
/// <remarks>Times are milliseconds since the Unix epoch, ids are strings, as on MLflow's wire.</remarks>
public interface ITrackingStore : IAsyncDisposable
{
    /// <summary>Creates an experiment and returns its id; a name in use (even by a deleted one) is refused.</summary>
    Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>The experiment with this id, or null.</summary>
    Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken);

    /// <summary>The experiment with this exact name, or null.</summary>
    Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken);

    /// <summary>All experiments in the given view, ordered by id.</summary>
    Task<IReadOnlyList<Experiment>> ListExperimentsAsync(ViewType viewType, CancellationToken cancellationToken);

    /// <summary>Experiments matching a filter, in the requested order, one page at a time.</summary>
    Task<ExperimentsPage> SearchExperimentsAsync(ExperimentSearch search, CancellationToken cancellationToken);

    /// <summary>Renames an active experiment; the new name must be unused.</summary>
    Task RenameExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken);

    /// <summary>Sets (upserts) a tag on an active experiment.</summary>
    Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken cancellationToken);

    /// <summary>Removes a tag from an active experiment; an absent tag is RESOURCE_DOES_NOT_EXIST.</summary>
    Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken cancellationToken);

    /// <summary>Soft-deletes an experiment and its runs.</summary>
    Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken);

    /// <summary>Restores a soft-deleted experiment and its runs.</summary>
    Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken);

    /// <summary>Starts a run in an active experiment; it begins RUNNING.</summary>
    Task<RunInfo> CreateRunAsync(CreateRunRequest request, CancellationToken cancellationToken);

    /// <summary>The run with its latest metrics, params, tags and inputs, or null.</summary>
    Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Changes only what is given: status, end time, name.</summary>
    Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken);

    /// <summary>Soft-deletes a run.</summary>
    Task DeleteRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Restores a soft-deleted run.</summary>
    Task RestoreRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes metrics (appended, exact duplicates ignored), params (write-once) and tags (upserted) in one
    /// transaction: either all of the batch is stored or none of it.
    /// </summary>
    Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Records data sets the run used; a (name, digest) pair already on the run is not added again.</summary>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken);

    /// <summary>Removes a run tag.</summary>
    Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>Every point of one metric, ordered by timestamp, step, value.</summary>
    Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>
    /// The points of one metric in <see cref="GetMetricHistoryAsync"/> order, skipping <paramref name="offset"/>
    /// and yielding at most <paramref name="limit"/> (all when null), read as they come from the store so a long
    /// history is never held in memory whole. The query runs on the first <c>MoveNextAsync</c>.
    /// </summary>
    async IAsyncEnumerable<MetricPoint> ReadMetricHistoryAsync(string runId, string key, long offset, long? limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Stores without a streaming read page through the whole history.
        var history = await GetMetricHistoryAsync(runId, key, cancellationToken);
        var end = limit is { } max ? Math.Min(history.Count, offset + max) : history.Count;
        for (var i = offset; i < end; i++)
        {
            var metric = history[(int)i];
            yield return new MetricPoint(metric.Value, metric.Timestamp, metric.Step);
        }
    }

    /// <summary>Runs of the given experiments matching the filter, in the requested order, one page at a time.</summary>
    Task<RunsPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken);
}
