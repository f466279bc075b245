using Fathom.Tracking;

namespace Fathom.Testing;

/// <summary>
/// Logged models (MLflow 3's LoggedModel API), the same on the SQL stores: SQLite and PostgreSQL. Apart from
/// <see cref="TrackingStoreCompliance"/> because the REST client (remote mode) has no logged-model calls: the server's
/// own tests drive them over HTTP.
/// </summary>
public abstract class LoggedModelStoreCompliance : IAsyncLifetime
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
    }

    private ILoggedModelStore LoggedModels
    {
        get
        {
            Skip.If(Unavailable is not null, Unavailable);
            return Assert.IsAssignableFrom<ILoggedModelStore>(Store);
        }
    }

    [SkippableFact]
    public async Task LoggedModels_CreateLinkMetricsSearchFinalizeDelete_AsMlflowsSqlStoreDoes()
    {
        var models = LoggedModels;
        var experimentId = await Store.CreateExperimentAsync("logged-" + Guid.NewGuid().ToString("N"), null, [], Ct);
        var otherExperiment = await Store.CreateExperimentAsync("logged-other-" + Guid.NewGuid().ToString("N"), null, [], Ct);
        var run = await Store.CreateRunAsync(new CreateRunRequest(experimentId, "train", "alice", 1, []), Ct);
        var otherRun = await Store.CreateRunAsync(new CreateRunRequest(otherExperiment, "elsewhere", "alice", 1, []), Ct);
        var experiment = await Store.GetExperimentAsync(experimentId, Ct);

        var first = await models.CreateLoggedModelAsync(new LoggedModelCreation(experimentId, "first", "classifier", run.RunId, [new Param("C", "1")], [new Tag("team", "nlp")]), Ct);
        var second = await models.CreateLoggedModelAsync(new LoggedModelCreation(experimentId, null, null, null, [], []), Ct);
        await models.LogLoggedModelMetricsAsync(run.RunId, [
            new LoggedModelMetric(first.ModelId, "acc", 0.9, 10, 1, string.Empty, "test", "d1"),
            new LoggedModelMetric(first.ModelId, "acc", 0.9, 10, 1, string.Empty, "test", "d1"),
            new LoggedModelMetric(second.ModelId, "acc", 0.7, 11, 1, string.Empty, "test", "d1"),
            new LoggedModelMetric(second.ModelId, "acc", 0.95, 12, 1, string.Empty, "validation", null),
            new LoggedModelMetric(second.ModelId, "loss", double.NaN, 12, 1, string.Empty, null, null),
        ], Ct);
        var ready = await models.FinalizeLoggedModelAsync(first.ModelId, LoggedModelStatus.Ready, Ct);
        async Task<string[]> SearchAsync(string? filter, IReadOnlyList<LoggedModelDataset>? datasets = null, IReadOnlyList<LoggedModelOrder>? order = null) =>
            [.. (await models.SearchLoggedModelsAsync(new LoggedModelSearch([experimentId], filter, datasets, OrderBy: order), Ct)).Models.Select(m => m.ModelId)];

        var onTest = await SearchAsync("metrics.acc > 0.8", [new LoggedModelDataset("test", "d1")]);
        var anyDataset = await SearchAsync("metrics.acc > 0.8", order: [new LoggedModelOrder("metrics.acc", Ascending: false)]);
        var byTestAccuracy = await SearchAsync(null, order: [new LoggedModelOrder("metrics.acc", Ascending: true, DatasetName: "test")]);
        var readyOnes = await SearchAsync("status = 'LOGGED_MODEL_READY' AND tags.team = 'nlp' AND params.C = '1' AND model_type = 'classifier'");
        var page = await models.SearchLoggedModelsAsync(new LoggedModelSearch([experimentId], MaxResults: 1), Ct);
        var foreignRun = await Assert.ThrowsAsync<TrackingException>(() => models.CreateLoggedModelAsync(new LoggedModelCreation(experimentId, "x", null, otherRun.RunId, [], []), Ct));
        var foreignMetric = await Assert.ThrowsAsync<TrackingException>(() => models.LogLoggedModelMetricsAsync(otherRun.RunId, [new LoggedModelMetric(first.ModelId, "acc", 1, 1, 1, string.Empty, null, null)], Ct));
        await models.DeleteLoggedModelAsync(second.ModelId, Ct);
        var afterDelete = await SearchAsync(null);
        var readSecond = await models.GetLoggedModelAsync(second.ModelId, Ct);

        Assert.Matches("^m-[0-9a-f]{32}$", first.ModelId);
        Assert.Equal($"{experiment!.ArtifactLocation}/models/{first.ModelId}/artifacts", first.ArtifactLocation);
        Assert.Equal((LoggedModelStatus.Pending, "classifier", run.RunId), (first.Status, first.ModelType, first.SourceRunId));
        Assert.False(string.IsNullOrEmpty(second.Name));
        Assert.Equal(LoggedModelStatus.Ready, ready.Status);
        Assert.Equal([new LoggedModelMetric(first.ModelId, "acc", 0.9, 10, 1, run.RunId, "test", "d1")], ready.Metrics);
        Assert.Equal([first.ModelId], onTest);
        Assert.Equal([second.ModelId, first.ModelId], anyDataset);
        Assert.Equal([second.ModelId, first.ModelId], byTestAccuracy);
        Assert.Equal([first.ModelId], readyOnes);
        Assert.Equal([second.ModelId], page.Models.Select(m => m.ModelId));
        Assert.NotNull(page.NextPageToken);
        Assert.Contains("source_run_id", foreignRun.Message, StringComparison.Ordinal);
        Assert.Contains("model_id", foreignMetric.Message, StringComparison.Ordinal);
        Assert.Equal([first.ModelId], afterDelete);
        Assert.Null(readSecond);
    }
}
