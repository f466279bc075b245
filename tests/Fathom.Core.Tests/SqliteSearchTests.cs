using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class SqliteSearchTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ITrackingStore _store;
    private readonly CancellationToken _ct = CancellationToken.None;

    public SqliteSearchTests() => _store = TrackingStores.Open(StoreLocation.Parse(_dir.Path, "/"));

    public void Dispose() => _dir.Dispose();

    private async Task<string> RunAsync(string name, long start, double? acc, string? model = null, string? team = null)
    {
        var info = await _store.CreateRunAsync(new CreateRunRequest("0", name, "alice", start, team is null ? [] : [new Tag("team", team)]), _ct);
        await _store.LogBatchAsync(info.RunId, acc is { } a ? [new Metric("acc", a, start, 0)] : [], model is null ? [] : [new Param("model", model)], [], _ct);
        return info.RunId;
    }

    private async Task<List<string>> NamesAsync(string? filter, params string[] orderBy) =>
        (await _store.SearchRunsAsync(new RunSearch(["0"], Filter: filter, OrderBy: orderBy), _ct)).Runs.Select(r => r.Info.RunName).ToList();

    [Fact]
    public async Task SearchRuns_MetricFilterAndOrder_ReturnsMatchesBestFirst()
    {
        await RunAsync("low", 1, 0.2);
        await RunAsync("high", 2, 0.9);
        await RunAsync("mid", 3, 0.6);
        await RunAsync("none", 4, null);

        Assert.Equal(["high", "mid"], await NamesAsync("metrics.acc > 0.5", "metrics.acc DESC"));
        Assert.Equal(["low", "mid", "high", "none"], await NamesAsync(null, "metrics.acc ASC"));
        Assert.Equal(["high", "mid", "low", "none"], await NamesAsync(null, "metrics.acc DESC"));
    }

    [Fact]
    public async Task SearchRuns_NaNMetric_SortsAfterNumbersBeforeMissing()
    {
        await RunAsync("nan", 1, double.NaN);
        await RunAsync("one", 2, 1);
        await RunAsync("none", 3, null);

        Assert.Equal(["one", "nan", "none"], await NamesAsync(null, "metrics.acc DESC"));
        Assert.Equal(["one"], await NamesAsync("metrics.acc >= 0"));
    }

    [Fact]
    public async Task SearchRuns_ParamsTagsAndAttributes_FilterInSql()
    {
        await RunAsync("lr-a", 1, 0.5, "LogisticRegression", "nlp");
        await RunAsync("svm-b", 2, 0.7, "SVM", "vision");
        await RunAsync("lr-c", 3, 0.6, "logisticregression");

        Assert.Equal(["lr-a"], await NamesAsync("params.model = 'LogisticRegression'"));
        Assert.Equal(["lr-a"], await NamesAsync("params.model LIKE 'Logistic%'"));
        Assert.Equal(["lr-c", "lr-a"], await NamesAsync("params.model ILIKE 'logistic%'"));
        Assert.Equal(["svm-b"], await NamesAsync("tags.team != 'nlp'"));
        Assert.Equal(["lr-c", "lr-a"], await NamesAsync("attributes.run_name LIKE 'lr-_'"));
        Assert.Equal(["svm-b", "lr-a"], await NamesAsync("attributes.start_time <= 2 AND attributes.status = 'RUNNING'"));
        // Binary order, as MLflow's SQL stores compare: upper case sorts first.
        Assert.Equal(["lr-a", "svm-b", "lr-c"], await NamesAsync(null, "params.model"));
    }

    [Fact]
    public async Task SearchRuns_RunIdIn_ReturnsThoseRuns()
    {
        var a = await RunAsync("a", 1, null);
        await RunAsync("b", 2, null);
        var c = await RunAsync("c", 3, null);

        Assert.Equal(["c", "a"], await NamesAsync($"attributes.run_id IN ('{a}', '{c}')"));
        Assert.Equal(["b"], await NamesAsync($"run_id NOT IN ('{a}', '{c}')"));
    }

    [Fact]
    public async Task SearchRuns_DatasetContext_MatchesAnyInput()
    {
        var a = await RunAsync("a", 1, null);
        await RunAsync("b", 2, null);
        await _store.LogInputsAsync(a, [new DatasetInput(new Dataset("imdb", "d1", "local", "{}"), [new Tag("mlflow.data.context", "training")])], _ct);

        Assert.Equal(["a"], await NamesAsync("datasets.context IN ('training', 'validation')"));
        Assert.Equal(["a"], await NamesAsync("datasets.name = 'imdb' AND datasets.digest LIKE 'd%'"));
        Assert.Empty(await NamesAsync("datasets.context = 'testing'"));
    }

    [Fact]
    public async Task SearchRuns_Pages_WalkAllRunsInOrder()
    {
        for (var i = 0; i < 5; i++)
        {
            await RunAsync($"r{i}", i, i);
        }

        var page1 = await _store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, OrderBy: ["metrics.acc ASC"]), _ct);
        var page2 = await _store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, OrderBy: ["metrics.acc ASC"], PageToken: page1.NextPageToken), _ct);
        var page3 = await _store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, OrderBy: ["metrics.acc ASC"], PageToken: page2.NextPageToken), _ct);

        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], page1.Runs.Concat(page2.Runs).Concat(page3.Runs).Select(r => r.Info.RunName));
        Assert.Null(page3.NextPageToken);
    }

    [Fact]
    public async Task SearchRuns_BadFilter_IsInvalidParameterValue()
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => NamesAsync("metrics.acc > 'x'"));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    [Fact]
    public async Task SearchExperiments_FilterAndOrder_WorkOnNamesAndTags()
    {
        await _store.CreateExperimentAsync("test-a", null, [new Tag("team", "ml")], _ct);
        await _store.CreateExperimentAsync("test-b", null, [], _ct);
        await _store.CreateExperimentAsync("prod", null, [new Tag("team", "ml")], _ct);

        var page = await _store.SearchExperimentsAsync(new ExperimentSearch(Filter: "name LIKE 'test-%' AND tags.team = 'ml'"), _ct);
        var ordered = await _store.SearchExperimentsAsync(new ExperimentSearch(OrderBy: ["name DESC"]), _ct);

        Assert.Equal("test-a", Assert.Single(page.Experiments).Name);
        Assert.Equal(["test-b", "test-a", "prod", "Default"], ordered.Experiments.Select(e => e.Name));
    }

    [Fact]
    public async Task RenameAndTagExperiment_ActiveExperiment_AreStored()
    {
        var id = await _store.CreateExperimentAsync("old", null, [], _ct);
        await _store.RenameExperimentAsync(id, "new", _ct);
        await _store.SetExperimentTagAsync(id, new Tag("team", "ml"), _ct);
        await _store.SetExperimentTagAsync(id, new Tag("team", "nlp"), _ct);

        var experiment = await _store.GetExperimentAsync(id, _ct);
        Assert.Equal("new", experiment!.Name);
        Assert.Equal(new Tag("team", "nlp"), Assert.Single(experiment.Tags));
        await _store.DeleteExperimentTagAsync(id, "team", _ct);
        var missing = await Assert.ThrowsAsync<TrackingException>(() => _store.DeleteExperimentTagAsync(id, "team", _ct));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
        var clash = await Assert.ThrowsAsync<TrackingException>(() => _store.RenameExperimentAsync(id, "Default", _ct));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, clash.Code);
    }
}
