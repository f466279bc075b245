using Fathom.Tracking;

namespace Fathom.Testing;

/// <summary>
/// The tracking-store contract (MLflow's rules), run once per backend: SQLite and PostgreSQL must behave the same, and
/// so must the REST client over Fathom's server. A subclass supplies a fresh, empty store per test.
/// </summary>
public abstract partial class TrackingStoreCompliance : IAsyncLifetime
{
    protected ITrackingStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Why the backend cannot run here (tests skip), or null.</summary>
    protected virtual string? Unavailable => null;

    protected abstract Task<ITrackingStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        if (Unavailable is null)
        {
            Store = await CreateStoreAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        await CleanUpAsync();
    }

    /// <summary>Releases what <see cref="CreateStoreAsync"/> started besides the store (a server), after the store is closed.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    protected void SkipIfUnavailable() => Skip.If(Unavailable is not null, Unavailable);

    private async Task<RunInfo> NewRunAsync(string? name = null, string experiment = "0") =>
        await Store.CreateRunAsync(new CreateRunRequest(experiment, name, "alice", 1000, []), Ct);

    [SkippableFact]
    public async Task Open_NewStore_HasDefaultExperimentZero()
    {
        SkipIfUnavailable();
        var experiment = await Store.GetExperimentAsync("0", Ct);

        Assert.NotNull(experiment);
        Assert.Equal("Default", experiment.Name);
        Assert.Equal(LifecycleStage.Active, experiment.LifecycleStage);
        Assert.EndsWith("/artifacts/0", experiment.ArtifactLocation, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CreateExperiment_NameTaken_IsRefusedAsAlreadyExists()
    {
        SkipIfUnavailable();
        var id = await Store.CreateExperimentAsync("sentiment", null, [new Tag("team", "nlp")], Ct);

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.CreateExperimentAsync("sentiment", null, [], Ct));

        Assert.Equal("1", id);
        Assert.Equal(ErrorCode.ResourceAlreadyExists, error.Code);
        // MLflow's words, on every backend (a client may show or match them).
        Assert.EndsWith("Experiment(name=sentiment) already exists.", error.Message, StringComparison.Ordinal);
        var byName = await Store.GetExperimentByNameAsync("sentiment", Ct);
        Assert.Equal("nlp", Assert.Single(byName!.Tags).Value);
    }

    [SkippableFact]
    public async Task CreateRun_NoName_GetsGeneratedNameMirroredInTag()
    {
        SkipIfUnavailable();
        var info = await NewRunAsync();
        var run = await Store.GetRunAsync(info.RunId, Ct);

        Assert.Matches("^[a-z]+-[a-z]+-[0-9]+$", info.RunName);
        Assert.Equal(32, info.RunId.Length);
        Assert.Equal(RunStatus.Running, run!.Info.Status);
        Assert.Equal(info.RunName, run.GetTag(SystemTags.RunName));
        Assert.EndsWith($"/0/{info.RunId}/artifacts", run.Info.ArtifactUri, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CreateRun_UnknownExperiment_IsNotFound()
    {
        SkipIfUnavailable();
        var error = await Assert.ThrowsAsync<TrackingException>(() => NewRunAsync(experiment: "42"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, error.Code);
    }

    [SkippableFact]
    public async Task LogBatch_Metrics_KeepsHistoryInOrderAndLatestByStep()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.RunId, [new Metric("loss", 0.5, 20, 2), new Metric("loss", 0.9, 10, 1), new Metric("loss", 0.7, 30, 0)], [], [], Ct);
        await Store.LogBatchAsync(run.RunId, [new Metric("loss", 0.5, 20, 2)], [], [], Ct); // exact duplicate: ignored

        var history = await Store.GetMetricHistoryAsync(run.RunId, "loss", Ct);
        var latest = (await Store.GetRunAsync(run.RunId, Ct))!.Metrics.Single();

        Assert.Equal([0.9, 0.5, 0.7], history.Select(m => m.Value));
        Assert.Equal(new Metric("loss", 0.5, 20, 2), latest);
    }

    [SkippableFact]
    public async Task ReadMetricHistory_OffsetAndLimit_PageTheOrderedHistory()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.RunId, [.. Enumerable.Range(0, 5).Select(i => new Metric("loss", 1.0 / (i + 1), 100 - i, i)), new Metric("loss", double.NaN, 1, 9)], [], [], Ct);

        var all = await ReadAsync(run.RunId, "loss", 0, null);
        var middle = await ReadAsync(run.RunId, "loss", 2, 3);
        var pastTheEnd = await ReadAsync(run.RunId, "loss", 6, 10);
        var unknown = await ReadAsync("no-such-run", "loss", 0, null);

        // Ordered by timestamp first: the NaN point (timestamp 1) leads, then steps 4..0.
        Assert.Equal([9L, 4, 3, 2, 1, 0], all.Select(m => m.Step));
        Assert.True(double.IsNaN(all[0].Value));
        Assert.Equal(new MetricPoint(0.2, 96, 4), all[1]);
        Assert.Equal([3L, 2, 1], middle.Select(m => m.Step));
        Assert.Empty(pastTheEnd);
        Assert.Empty(unknown);
    }

    private async Task<List<MetricPoint>> ReadAsync(string runId, string key, long offset, long? limit)
    {
        var points = new List<MetricPoint>();
        await foreach (var point in Store.ReadMetricHistoryAsync(runId, key, offset, limit, Ct))
        {
            points.Add(point);
        }

        return points;
    }

    [SkippableFact]
    public async Task LogBatch_NaNAndInfinity_RoundTripLikeMlflow()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.RunId, [new Metric("a", double.NaN, 1, 0), new Metric("b", double.PositiveInfinity, 1, 0)], [], [], Ct);

        var metrics = (await Store.GetRunAsync(run.RunId, Ct))!.Metrics;

        Assert.True(double.IsNaN(metrics.Single(m => m.Key == "a").Value));
        Assert.Equal(double.MaxValue, metrics.Single(m => m.Key == "b").Value);
    }

    [SkippableFact]
    public async Task LogBatch_ParamChanged_IsRefusedAndBatchRolledBack()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.RunId, [], [new Param("lr", "0.1")], [], Ct);
        await Store.LogBatchAsync(run.RunId, [], [new Param("lr", "0.1")], [], Ct); // same value: fine

        var error = await Assert.ThrowsAsync<TrackingException>(() =>
            Store.LogBatchAsync(run.RunId, [new Metric("m", 1, 1, 0)], [new Param("lr", "0.2")], [], Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
        Assert.Contains("Changing param values is not allowed", error.Message, StringComparison.Ordinal);
        var stored = await Store.GetRunAsync(run.RunId, Ct);
        Assert.Equal("0.1", stored!.Params.Single().Value);
        Assert.Empty(stored.Metrics);
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("../x")]
    [InlineData("/abs")]
    [InlineData("bad*char")]
    public async Task LogBatch_InvalidKey_IsRefused(string key)
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run.RunId, [new Metric(key, 1, 1, 0)], [], [], Ct));
        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    [SkippableFact]
    public async Task SetTag_RunName_RenamesRun()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync("first");
        await Store.LogBatchAsync(run.RunId, [], [], [new Tag(SystemTags.RunName, "second")], Ct);

        Assert.Equal("second", (await Store.GetRunAsync(run.RunId, Ct))!.Info.RunName);
    }

    [SkippableFact]
    public async Task UpdateRun_DeletedRun_IsInvalidParameterValue()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        await Store.DeleteRunAsync(run.RunId, Ct);

        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.UpdateRunAsync(run.RunId, RunStatus.Finished, 2000, null, Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    [SkippableFact]
    public async Task SearchRuns_Pages_NewestFirstAndViewTypes()
    {
        SkipIfUnavailable();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var info = await Store.CreateRunAsync(new CreateRunRequest("0", $"r{i}", "bob", 1000 + i, []), Ct);
            ids.Add(info.RunId);
        }

        await Store.DeleteRunAsync(ids[0], Ct);
        var first = await Store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2), Ct);
        var second = await Store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, PageToken: first.NextPageToken), Ct);
        var deleted = await Store.SearchRunsAsync(new RunSearch(["0"], ViewType.DeletedOnly), Ct);

        Assert.Equal(["r4", "r3"], first.Runs.Select(r => r.Info.RunName));
        Assert.Equal(["r2", "r1"], second.Runs.Select(r => r.Info.RunName));
        Assert.Null(second.NextPageToken);
        Assert.Equal("r0", Assert.Single(deleted.Runs).Info.RunName);
    }

    [SkippableFact]
    public async Task DeleteExperiment_DeletesItsRuns_RestoreBringsThemBack()
    {
        SkipIfUnavailable();
        var id = await Store.CreateExperimentAsync("e", null, [], Ct);
        var run = await NewRunAsync(experiment: id);

        await Store.DeleteExperimentAsync(id, Ct);
        var whileDeleted = (await Store.GetRunAsync(run.RunId, Ct))!.Info.LifecycleStage;
        await Store.RestoreExperimentAsync(id, Ct);

        Assert.Equal(LifecycleStage.Deleted, whileDeleted);
        Assert.Equal(LifecycleStage.Active, (await Store.GetRunAsync(run.RunId, Ct))!.Info.LifecycleStage);
    }

    [SkippableFact]
    public async Task LogInputs_SameDatasetTwice_IsStoredOnce()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        var input = new DatasetInput(new Dataset("train", "abc.dir", "local", "{}"), [new Tag("mlflow.data.context", "training")]);

        await Store.LogInputsAsync(run.RunId, [input, input], Ct);
        await Store.LogInputsAsync(run.RunId, [input], Ct);

        var stored = Assert.Single((await Store.GetRunAsync(run.RunId, Ct))!.Inputs);
        Assert.Equal("abc.dir", stored.Dataset.Digest);
        Assert.Equal("training", stored.Tags.Single().Value);
    }

    [SkippableFact]
    public async Task DeleteExperiment_Twice_IsNotFoundLikeMlflow()
    {
        SkipIfUnavailable();
        var id = await Store.CreateExperimentAsync("twice", null, [], Ct);
        await Store.DeleteExperimentAsync(id, Ct);

        var again = await Assert.ThrowsAsync<TrackingException>(() => Store.DeleteExperimentAsync(id, Ct));
        await Store.RestoreExperimentAsync(id, Ct);
        var restoreActive = await Assert.ThrowsAsync<TrackingException>(() => Store.RestoreExperimentAsync(id, Ct));

        Assert.Equal(ErrorCode.ResourceDoesNotExist, again.Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, restoreActive.Code);
    }

    [SkippableFact]
    public async Task LogBatch_AsManyItemsAsMlflowAllows_AllStoredWithLatestPerKey()
    {
        SkipIfUnavailable();
        var run = await NewRunAsync();
        var metrics = Enumerable.Range(0, 998).Select(i => new Metric(i % 2 == 0 ? "loss" : "acc", i, 1000 + i, i)).ToList();

        await Store.LogBatchAsync(run.RunId, metrics, [new Param("a", "1")], [new Tag("t", "v")], Ct);

        Assert.Equal(499, (await Store.GetMetricHistoryAsync(run.RunId, "loss", Ct)).Count);
        var stored = (await Store.GetRunAsync(run.RunId, Ct))!;
        Assert.Equal(997, stored.Metrics.Single(m => m.Key == "acc").Value);
        Assert.Equal(996, stored.Metrics.Single(m => m.Key == "loss").Value);
    }

    [SkippableFact]
    public async Task LogBatch_ConcurrentWriters_LoseNothing()
    {
        SkipIfUnavailable();
        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => NewRunAsync()));

        await Task.WhenAll(runs.Select(run => Task.Run(async () =>
        {
            for (var batch = 0; batch < 10; batch++)
            {
                var points = Enumerable.Range(0, 100).Select(i => new Metric("m", i, batch * 100 + i, batch * 100 + i)).ToList();
                await Store.LogBatchAsync(run.RunId, points, [], [], Ct);
            }
        })));

        foreach (var run in runs)
        {
            Assert.Equal(1000, (await Store.GetMetricHistoryAsync(run.RunId, "m", Ct)).Count);
        }
    }
}
