using Fathom.Lineage;
using Fathom.Storage;

namespace Fathom.Tracking;

/// <summary>
/// The tracking SDK: start runs in experiments and log to them. Works against any <see cref="ITrackingStore"/>,
/// the embedded SQLite store by default.
/// </summary>
/// <example>
/// <code>
/// await using var tracking = TrackingClient.Open();
/// await tracking.RunAsync("sentiment", async (run, ct) =>
/// {
///     run.LogParam("c", "0.5");
///     run.LogMetric("loss", 0.3, step: 1);
///     await run.LogArtifactAsync("model/", "model", ct);
/// });
/// </code>
/// </example>
public sealed class TrackingClient : IAsyncDisposable
{
    private readonly bool _ownsStore;

    /// <summary>Wraps a store; the caller keeps ownership of it.</summary>
    public TrackingClient(ITrackingStore store, ArtifactStoreResolver? artifacts = null, TimeProvider? time = null)
        : this(store, artifacts, time, ownsStore: false)
    {
    }

    private TrackingClient(ITrackingStore store, ArtifactStoreResolver? artifacts, TimeProvider? time, bool ownsStore)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        Artifacts = artifacts ?? new ArtifactStoreResolver();
        Time = time ?? TimeProvider.System;
        _ownsStore = ownsStore;
    }

    /// <summary>The store runs are written to.</summary>
    public ITrackingStore Store { get; }

    /// <summary>Resolves run artifact URIs to stores.</summary>
    public ArtifactStoreResolver Artifacts { get; }

    /// <summary>The clock used for timestamps.</summary>
    public TimeProvider Time { get; }

    /// <summary>Where runs go: the database file, or the tracking server's URI (any password hidden).</summary>
    public string Location { get; private init; } = "";

    /// <summary>
    /// Opens where runs go, resolved by <see cref="StoreLocation.Resolve(string?, string)"/> from the working directory:
    /// <paramref name="store"/> if given, else <c>FATHOM_TRACKING_URI</c>, else an http(s) <c>MLFLOW_TRACKING_URI</c>,
    /// else <c>FATHOM_STORE</c>, else the project's <c>.fathom</c> folder. A folder or <c>sqlite:</c> URI is the embedded
    /// store; an <c>http(s)://</c> one an MLflow-compatible tracking server (Fathom's or MLflow's), reached over its REST
    /// API. Other kinds (PostgreSQL) need their adapter: see <see cref="Open(StoreLocation, TrackingStores, TimeProvider?)"/>.
    /// </summary>
    public static TrackingClient Open(string? store = null, TimeProvider? time = null) =>
        Open(StoreLocation.Resolve(store, Directory.GetCurrentDirectory()), new TrackingStores(), time);

    /// <summary>Opens the store at <paramref name="location"/> with one of the kinds in <paramref name="stores"/>.</summary>
    public static TrackingClient Open(StoreLocation location, TrackingStores stores, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(stores);
        var store = stores.Open(location, time);
        var artifacts = new ArtifactStoreResolver();
        (store as IArtifactProxy)?.AddArtifactStores(artifacts);
        return new TrackingClient(store, artifacts, time, ownsStore: true) { Location = location.ToString() };
    }

    /// <summary>The id of the experiment with this name, created if it does not exist.</summary>
    public async Task<string> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        var existing = await Store.GetExperimentByNameAsync(name, cancellationToken);
        if (existing is not null)
        {
            if (existing.LifecycleStage != LifecycleStage.Active)
            {
                throw new TrackingException(ErrorCode.InvalidState,
                    $"Experiment '{name}' is deleted. Restore it (fathom experiments restore {existing.ExperimentId}) or choose another name.");
            }

            return existing.ExperimentId;
        }

        try
        {
            return await Store.CreateExperimentAsync(name, null, [], cancellationToken);
        }
        catch (TrackingException e) when (e.Code == ErrorCode.ResourceAlreadyExists)
        {
            // Another process created it between our read and our write.
            return (await Store.GetExperimentByNameAsync(name, cancellationToken))!.ExperimentId;
        }
    }

    /// <summary>MLflow's variable naming a run for the next started run to log into (see <see cref="RunOptions.RunId"/>).</summary>
    public const string RunIdVariable = "MLFLOW_RUN_ID";

    /// <summary>
    /// Starts a run in the named experiment (created if needed; "Default" when null), recording lineage.
    /// End it with <see cref="ActiveRun.EndAsync"/>, or use <see cref="RunAsync"/> which ends it for you.
    /// With <see cref="RunOptions.RunId"/> (or <c>MLFLOW_RUN_ID</c>) set, that run is resumed instead: it keeps its own
    /// experiment, and the lineage and tags are added to it.
    /// </summary>
    public async Task<ActiveRun> StartRunAsync(string? experimentName = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RunOptions();
        var resume = options.RunId ?? Environment.GetEnvironmentVariable(RunIdVariable);
        var experimentId = string.IsNullOrWhiteSpace(resume) ? await GetOrCreateExperimentAsync(experimentName ?? "Default", cancellationToken) : null;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<DatasetInput> inputs = [];
        if (options.CaptureLineage)
        {
            foreach (var tag in await LineageCollector.CollectEnvironmentAsync(options.WorkingDirectory ?? Directory.GetCurrentDirectory(), cancellationToken))
            {
                tags[tag.Key] = tag.Value;
            }
        }

        if (options.DataInputs.Count > 0)
        {
            var (dataTags, datasets) = await LineageCollector.HashInputsAsync(options.DataInputs, cancellationToken);
            foreach (var tag in dataTags)
            {
                tags[tag.Key] = tag.Value;
            }

            inputs = datasets;
        }

        foreach (var (key, value) in options.Tags)
        {
            tags[key] = value;
        }

        if (experimentId is null)
        {
            return await ResumeRunAsync(resume!.Trim(), tags, inputs, cancellationToken);
        }

        var info = await Store.CreateRunAsync(
            new CreateRunRequest(experimentId, options.RunName, Environment.UserName, Time.GetUtcNow().ToUnixTimeMilliseconds(), tags.Select(t => new Tag(t.Key, t.Value)).ToList()),
            cancellationToken);
        if (inputs.Count > 0)
        {
            await Store.LogInputsAsync(info.RunId, inputs, cancellationToken);
        }

        return new ActiveRun(this, info);
    }

    // MLflow's start_run with an existing run id: the run must exist and not be deleted; it is set RUNNING (its end
    // time kept until it ends again) and the tags and inputs of this start are added.
    private async Task<ActiveRun> ResumeRunAsync(string runId, Dictionary<string, string> tags, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken)
    {
        var run = await Store.GetRunAsync(runId, cancellationToken)
            ?? throw TrackingException.NotFound($"Run '{runId}' (from {RunIdVariable} or RunOptions.RunId) does not exist{(Location.Length > 0 ? " in " + Location : "")}.");
        if (run.Info.LifecycleStage != LifecycleStage.Active)
        {
            throw new TrackingException(ErrorCode.InvalidState, $"Run '{runId}' (from {RunIdVariable} or RunOptions.RunId) is deleted; restore it or unset {RunIdVariable}.");
        }

        var info = await Store.UpdateRunAsync(runId, RunStatus.Running, null, null, cancellationToken);
        if (tags.Count > 0)
        {
            await Store.LogBatchAsync(runId, [], [], [.. tags.Select(t => new Tag(t.Key, t.Value))], cancellationToken);
        }

        if (inputs.Count > 0)
        {
            await Store.LogInputsAsync(runId, inputs, cancellationToken);
        }

        return new ActiveRun(this, info);
    }

    /// <summary>
    /// Runs <paramref name="body"/> inside a new run: FINISHED when it returns, FAILED (with the error as tag
    /// <c>fathom.error</c>) when it throws, KILLED when it is cancelled. The exception still propagates.
    /// </summary>
    public async Task<T> RunAsync<T>(string? experimentName, Func<ActiveRun, CancellationToken, Task<T>> body, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        await using var run = await StartRunAsync(experimentName, options, cancellationToken);
        try
        {
            var result = await body(run, cancellationToken);
            await run.EndAsync(RunStatus.Finished, CancellationToken.None);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await run.EndAsync(RunStatus.Killed, CancellationToken.None);
            throw;
        }
        catch (Exception e)
        {
            await run.FailAsync(e, CancellationToken.None);
            throw;
        }
    }

    /// <summary>As <see cref="RunAsync{T}"/> for a body with no result.</summary>
    public Task RunAsync(string? experimentName, Func<ActiveRun, CancellationToken, Task> body, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunAsync<bool>(experimentName, async (run, ct) =>
        {
            await body(run, ct);
            return true;
        }, options, cancellationToken);
    }

    /// <summary>Ends the runs still open (as FINISHED, like MLflow at exit) and closes the store if this client opened it.</summary>
    public async ValueTask DisposeAsync()
    {
        await ActiveRunRegistry.EndAllAsync(this);
        if (_ownsStore)
        {
            await Store.DisposeAsync();
        }
    }
}
