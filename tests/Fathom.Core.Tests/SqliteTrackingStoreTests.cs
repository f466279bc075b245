using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class SqliteTrackingStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ITrackingStore _store;
    private readonly CancellationToken _ct = CancellationToken.None;

    public SqliteTrackingStoreTests() =>
        _store = TrackingStores.Open(StoreLocation.Parse(_dir.Path, "/"));

    public void Dispose() => _dir.Dispose();

    private async Task<RunInfo> NewRunAsync(string? name = null, string experiment = "0") =>
        await _store.CreateRunAsync(new CreateRunRequest(experiment, name, "alice", 1000, []), _ct);

    [Fact]
    public async Task Open_NewStore_HasDefaultExperimentZero()
    {
        var experiment = await _store.GetExperimentAsync("0", _ct);

        Assert.NotNull(experiment);
        Assert.Equal("Default", experiment.Name);
        Assert.Equal(LifecycleStage.Active, experiment.LifecycleStage);
        Assert.EndsWith("/artifacts/0", experiment.ArtifactLocation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateExperiment_NameTaken_IsRefusedAsAlreadyExists()
    {
        var id = await _store.CreateExperimentAsync("sentiment", null, [new Tag("team", "nlp")], _ct);

        var error = await Assert.ThrowsAsync<TrackingException>(() => _store.CreateExperimentAsync("sentiment", null, [], _ct));

        Assert.Equal("1", id);
        Assert.Equal(ErrorCode.ResourceAlreadyExists, error.Code);
        var byName = await _store.GetExperimentByNameAsync("sentiment", _ct);
        Assert.Equal("nlp", Assert.Single(byName!.Tags).Value);
    }

    [Fact]
    public async Task CreateRun_NoName_GetsGeneratedNameMirroredInTag()
    {
        var info = await NewRunAsync();
        var run = await _store.GetRunAsync(info.RunId, _ct);

        Assert.Matches("^[a-z]+-[a-z]+-[0-9]+$", info.RunName);
        Assert.Equal(32, info.RunId.Length);
        Assert.Equal(RunStatus.Running, run!.Info.Status);
        Assert.Equal(info.RunName, run.GetTag(SystemTags.RunName));
        Assert.EndsWith($"/0/{info.RunId}/artifacts", run.Info.ArtifactUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateRun_UnknownExperiment_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => NewRunAsync(experiment: "42"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, error.Code);
    }

    [Fact]
    public async Task LogBatch_Metrics_KeepsHistoryInOrderAndLatestByStep()
    {
        var run = await NewRunAsync();
        await _store.LogBatchAsync(run.RunId, [new Metric("loss", 0.5, 20, 2), new Metric("loss", 0.9, 10, 1), new Metric("loss", 0.7, 30, 0)], [], [], _ct);
        await _store.LogBatchAsync(run.RunId, [new Metric("loss", 0.5, 20, 2)], [], [], _ct); // exact duplicate: ignored

        var history = await _store.GetMetricHistoryAsync(run.RunId, "loss", _ct);
        var latest = (await _store.GetRunAsync(run.RunId, _ct))!.Metrics.Single();

        Assert.Equal([0.9, 0.5, 0.7], history.Select(m => m.Value));
        Assert.Equal(new Metric("loss", 0.5, 20, 2), latest);
    }

    [Fact]
    public async Task LogBatch_NaNAndInfinity_RoundTripLikeMlflow()
    {
        var run = await NewRunAsync();
        await _store.LogBatchAsync(run.RunId, [new Metric("a", double.NaN, 1, 0), new Metric("b", double.PositiveInfinity, 1, 0)], [], [], _ct);

        var metrics = (await _store.GetRunAsync(run.RunId, _ct))!.Metrics;

        Assert.True(double.IsNaN(metrics.Single(m => m.Key == "a").Value));
        Assert.Equal(double.MaxValue, metrics.Single(m => m.Key == "b").Value);
    }

    [Fact]
    public async Task LogBatch_ParamChanged_IsRefusedAndBatchRolledBack()
    {
        var run = await NewRunAsync();
        await _store.LogBatchAsync(run.RunId, [], [new Param("lr", "0.1")], [], _ct);
        await _store.LogBatchAsync(run.RunId, [], [new Param("lr", "0.1")], [], _ct); // same value: fine

        var error = await Assert.ThrowsAsync<TrackingException>(() =>
            _store.LogBatchAsync(run.RunId, [new Metric("m", 1, 1, 0)], [new Param("lr", "0.2")], [], _ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
        Assert.Contains("Changing param values is not allowed", error.Message, StringComparison.Ordinal);
        var stored = await _store.GetRunAsync(run.RunId, _ct);
        Assert.Equal("0.1", stored!.Params.Single().Value);
        Assert.Empty(stored.Metrics);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("../x")]
    [InlineData("/abs")]
    [InlineData("bad*char")]
    public async Task LogBatch_InvalidKey_IsRefused(string key)
    {
        var run = await NewRunAsync();
        var error = await Assert.ThrowsAsync<TrackingException>(() => _store.LogBatchAsync(run.RunId, [new Metric(key, 1, 1, 0)], [], [], _ct));
        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    [Fact]
    public async Task SetTag_RunName_RenamesRun()
    {
        var run = await NewRunAsync("first");
        await _store.LogBatchAsync(run.RunId, [], [], [new Tag(SystemTags.RunName, "second")], _ct);

        Assert.Equal("second", (await _store.GetRunAsync(run.RunId, _ct))!.Info.RunName);
    }

    [Fact]
    public async Task UpdateRun_DeletedRun_IsInvalidParameterValue()
    {
        var run = await NewRunAsync();
        await _store.DeleteRunAsync(run.RunId, _ct);

        var error = await Assert.ThrowsAsync<TrackingException>(() => _store.UpdateRunAsync(run.RunId, RunStatus.Finished, 2000, null, _ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    [Fact]
    public async Task SearchRuns_Pages_NewestFirstAndViewTypes()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var info = await _store.CreateRunAsync(new CreateRunRequest("0", $"r{i}", "bob", 1000 + i, []), _ct);
            ids.Add(info.RunId);
        }

        await _store.DeleteRunAsync(ids[0], _ct);
        var first = await _store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2), _ct);
        var second = await _store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, PageToken: first.NextPageToken), _ct);
        var deleted = await _store.SearchRunsAsync(new RunSearch(["0"], ViewType.DeletedOnly), _ct);

        Assert.Equal(["r4", "r3"], first.Runs.Select(r => r.Info.RunName));
        Assert.Equal(["r2", "r1"], second.Runs.Select(r => r.Info.RunName));
        Assert.Null(second.NextPageToken);
        Assert.Equal("r0", Assert.Single(deleted.Runs).Info.RunName);
    }

    [Fact]
    public async Task DeleteExperiment_DeletesItsRuns_RestoreBringsThemBack()
    {
        var id = await _store.CreateExperimentAsync("e", null, [], _ct);
        var run = await NewRunAsync(experiment: id);

        await _store.DeleteExperimentAsync(id, _ct);
        var whileDeleted = (await _store.GetRunAsync(run.RunId, _ct))!.Info.LifecycleStage;
        await _store.RestoreExperimentAsync(id, _ct);

        Assert.Equal(LifecycleStage.Deleted, whileDeleted);
        Assert.Equal(LifecycleStage.Active, (await _store.GetRunAsync(run.RunId, _ct))!.Info.LifecycleStage);
    }

    [Fact]
    public async Task LogInputs_SameDatasetTwice_IsStoredOnce()
    {
        var run = await NewRunAsync();
        var input = new DatasetInput(new Dataset("train", "abc.dir", "local", "{}"), [new Tag("mlflow.data.context", "training")]);

        await _store.LogInputsAsync(run.RunId, [input, input], _ct);
        await _store.LogInputsAsync(run.RunId, [input], _ct);

        var stored = Assert.Single((await _store.GetRunAsync(run.RunId, _ct))!.Inputs);
        Assert.Equal("abc.dir", stored.Dataset.Digest);
        Assert.Equal("training", stored.Tags.Single().Value);
    }

    [Fact]
    public async Task Reopen_ExistingStore_KeepsDataAndDoesNotMigrateAgain()
    {
        var run = await NewRunAsync("kept");
        await _store.DisposeAsync();

        await using var reopened = TrackingStores.Open(StoreLocation.Parse(_dir.Path, "/"));

        Assert.Equal("kept", (await reopened.GetRunAsync(run.RunId, _ct))!.Info.RunName);
    }

    [Fact]
    public async Task Open_DatabaseFromNewerFathom_IsRefused()
    {
        await _store.DisposeAsync();
        var db = Path.Combine(_dir.Path, StoreLocation.DatabaseFileName);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO fathom_schema VALUES (999, 0);";
            await command.ExecuteNonQueryAsync();
        }

        var error = Assert.Throws<TrackingException>(() => TrackingStores.Open(StoreLocation.Parse(_dir.Path, "/")));
        Assert.Contains("newer than this Fathom understands", error.Message, StringComparison.Ordinal);
    }
}
