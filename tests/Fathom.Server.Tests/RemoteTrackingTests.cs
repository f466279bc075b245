using Fathom.Mlflow;
using Fathom.Storage;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Server.Tests;

/// <summary>The SDK in remote mode: the same calls as against the embedded store, over the MLflow REST API.</summary>
public sealed class RemoteTrackingTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-remote-" + Guid.NewGuid().ToString("N"));
    private readonly int _port = Loopback.FreePort();
    private WebApplication? _server;

    private string Uri => $"http://127.0.0.1:{_port}";

    public Task InitializeAsync() => StartServerAsync();

    public async Task DisposeAsync()
    {
        await StopServerAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RunAsync_OverHttp_LogsParamsMetricsTagsInputsAndArtifacts()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "model", "data"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "model", "MLmodel"), "flavors: {}");
        await File.WriteAllTextAsync(Path.Combine(_folder, "model", "data", "w.bin"), "weights");
        Directory.CreateDirectory(Path.Combine(_folder, "train"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "train", "a.txt"), "alpha");
        await using var client = TrackingClient.Open(Uri);

        var runId = await client.RunAsync("remote", async (run, ct) =>
        {
            run.LogParam("l2", "0.1");
            run.SetTag("team", "nlp");
            for (var step = 0; step < 2500; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            run.LogMetric("odd", double.NaN);
            await run.LogArtifactAsync(Path.Combine(_folder, "model"), "model", ct);
            return run.RunId;
        }, new RunOptions { CaptureLineage = false, DataInputs = new Dictionary<string, string> { ["train"] = Path.Combine(_folder, "train") } });

        var run = (await client.Store.GetRunAsync(runId, default))!;
        var history = await client.Store.GetMetricHistoryAsync(runId, "loss", default);
        var artifacts = await client.Artifacts.Resolve(run.Info.ArtifactUri).ListRecursiveAsync(null, default);
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.StartsWith("mlflow-artifacts:/", run.Info.ArtifactUri, StringComparison.Ordinal);
        Assert.Equal("0.1", run.Params.Single().Value);
        Assert.Equal("nlp", run.GetTag("team"));
        Assert.True(double.IsNaN(run.Metrics.Single(m => m.Key == "odd").Value));
        Assert.Equal(2500, history.Count);
        Assert.Equal(run.GetTag("fathom.data.train"), Assert.Single(run.Inputs).Dataset.Digest);
        Assert.Equal(["model/MLmodel", "model/data/w.bin"], artifacts.Select(a => a.Path));
        // The files went through the proxy into the server's artifacts folder.
        Assert.True(File.Exists(Path.Combine(_folder, "artifacts", run.Info.ExperimentId, runId, "artifacts", "model", "data", "w.bin")));
    }

    [Fact]
    public async Task LogMetric_DuringShortServerOutage_LosesNoPoint()
    {
        await using var client = TrackingClient.Open(Uri);
        var run = await client.StartRunAsync("outage", new RunOptions { CaptureLineage = false });
        for (var i = 0; i < 500; i++)
        {
            run.LogMetric("m", i, i);
        }

        await run.FlushAsync();
        await StopServerAsync();
        for (var i = 500; i < 1500; i++)
        {
            run.LogMetric("m", i, i); // queued while the server is down
        }

        var ending = run.EndAsync();
        await Task.Delay(1500);
        await StartServerAsync();
        await ending;

        Assert.Equal(1500, (await client.Store.GetMetricHistoryAsync(run.RunId, "m", default)).Count);
        Assert.Equal(RunStatus.Finished, (await client.Store.GetRunAsync(run.RunId, default))!.Info.Status);
    }

    [Fact]
    public async Task GetRun_Unknown_IsNullAndBadCallsAreTrackingErrors()
    {
        await using var client = TrackingClient.Open(Uri);

        Assert.Null(await client.Store.GetRunAsync("0123456789abcdef0123456789abcdef", default));
        var error = await Assert.ThrowsAsync<TrackingException>(() => client.Store.CreateExperimentAsync("Default", null, [], default));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, error.Code);
    }

    [Fact]
    public async Task SearchDatasets_OverHttp_SummarisesWhatTheRunsUsed_LikeTheEmbeddedStore()
    {
        await using var client = TrackingClient.Open(Uri);
        var summaries = Assert.IsAssignableFrom<IDatasetSummaries>(client.Store);
        var experiment = await client.Store.CreateExperimentAsync("remote-datasets", null, [], default);
        var first = await client.Store.CreateRunAsync(new CreateRunRequest(experiment, "first", "alice", 1_000, []), default);
        var second = await client.Store.CreateRunAsync(new CreateRunRequest(experiment, "second", "alice", 2_000, []), default);
        await client.Store.LogInputsAsync(first.RunId, [new DatasetInput(new Dataset("imdb", "d1", "local", "{}"), [new Tag("mlflow.data.context", "training")])], default);
        await client.Store.LogInputsAsync(second.RunId, [new DatasetInput(new Dataset("imdb-test", "t1", "local", "{}"), [])], default);
        var id = long.Parse(experiment, System.Globalization.CultureInfo.InvariantCulture);

        var all = await summaries.SearchDatasetsAsync([id], 1000, default);
        var one = await summaries.SearchDatasetsAsync([id], 1, default);
        var tooMany = await Assert.ThrowsAsync<TrackingException>(() => summaries.SearchDatasetsAsync(Enumerable.Range(1, 21).Select(i => (long)i).ToList(), 1000, default));

        // The most recently used first, as the server's SQL orders them; the context only where the input had one.
        Assert.Equal([new DatasetSummary(experiment, "imdb-test", "t1", null), new DatasetSummary(experiment, "imdb", "d1", "training")], all);
        Assert.Equal([new DatasetSummary(experiment, "imdb-test", "t1", null)], one);
        Assert.Equal(ErrorCode.InvalidParameterValue, tooMany.Code);
        Assert.EndsWith("SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.", tooMany.Message, StringComparison.Ordinal);
    }

    private async Task StartServerAsync()
    {
        var options = new TrackingServerOptions { Port = _port, Store = StoreLocation.Parse(_folder, "/"), ArtifactsDestination = Path.Combine(_folder, "artifacts") };
        _server = TrackingServerHost.Build(options);
        await _server.StartAsync();
    }

    private async Task StopServerAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
            _server = null;
        }
    }
}
