using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Cli.Tests;

public sealed class TrackingCommandsTests : IDisposable
{
    private static readonly string[] ManyMetrics = ["fit_seconds", "model_size_bytes", "a_first_alphabetically", "test_accuracy", "val_log_loss"];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> SeedRunAsync()
    {
        await using var client = TrackingClient.Open(_dir.Combine(".fathom"));
        return await client.RunAsync("sentiment", async (run, ct) =>
        {
            run.LogParam("l2", "0.1");
            run.SetTag("team", "nlp");
            for (var step = 0; step < 50; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            run.LogMetric("test_accuracy", 0.91);
            await File.WriteAllTextAsync(_dir.Combine("report.txt"), "ok", ct);
            await run.LogArtifactAsync(_dir.Combine("report.txt"), "reports", ct);
            return run.RunId;
        }, new RunOptions { RunName = "baseline", CaptureLineage = false });
    }

    [Fact]
    public async Task ExperimentsList_FindsProjectStoreFromSubfolder()
    {
        await SeedRunAsync();
        var sub = Directory.CreateDirectory(_dir.Combine("src", "deep")).FullName;

        var result = await FathomProcess.RunAsync(sub, "experiments", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Default", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("sentiment", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_Json_IsMlflowShapedDataOnly()
    {
        var runId = await SeedRunAsync();

        var result = await FathomProcess.RunAsync(_dir.Path, "runs", "list", "--experiment", "sentiment", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var run = json.RootElement.GetProperty("runs").EnumerateArray().Single();
        Assert.Equal(runId, run.GetProperty("info").GetProperty("run_id").GetString());
        Assert.Equal("FINISHED", run.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal(0.91, run.GetProperty("data").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == "test_accuracy").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task RunsList_Table_ShowsRunAndMetricColumns()
    {
        var runId = await SeedRunAsync();

        var result = await FathomProcess.RunAsync(_dir.Path, "runs", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(runId, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("baseline", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("FINISHED", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("test_accuracy", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_ManyMetrics_ShowsQualityNotTimings_AndTheRunIdWhole()
    {
        string runId;
        await using (var client = TrackingClient.Open(_dir.Combine(".fathom")))
        {
            runId = await client.RunAsync("many", (run, _) =>
            {
                foreach (var key in ManyMetrics)
                {
                    run.LogMetric(key, 1);
                }

                return Task.FromResult(run.RunId);
            }, new RunOptions { RunName = "a-run-with-a-rather-long-descriptive-name", CaptureLineage = false });
        }

        var table = await CliSteps.Ok(_dir.Path, "runs", "list", "-e", "many");
        var chosen = await CliSteps.Ok(_dir.Path, "runs", "list", "-e", "many", "--metrics", "fit_seconds");

        var header = table.StdoutLines[1];
        Assert.True(table.Stdout.Contains(runId, StringComparison.Ordinal), table.Stdout);
        Assert.True(header.IndexOf("test_accuracy", StringComparison.Ordinal) is > 0 and var accuracy && accuracy < header.IndexOf("val_log_loss", StringComparison.Ordinal), table.Stdout);
        Assert.DoesNotContain("model_size_bytes", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("fit_seconds", chosen.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("test_accuracy", chosen.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_ShowsParamsMetricsTagsAndArtifacts()
    {
        var runId = await SeedRunAsync();

        var result = await FathomProcess.RunAsync(_dir.Path, "runs", "show", runId);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var expected in new[] { "baseline", "Params", "l2", "0.1", "Metrics", "test_accuracy", "0.91", "team", "nlp", "reports/report.txt" })
        {
            Assert.Contains(expected, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunsMetric_DrawsChartWithRange()
    {
        var runId = await SeedRunAsync();

        var result = await FathomProcess.RunAsync(_dir.Path, "runs", "metric", runId, "loss", "--width", "40");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("loss: 50 points, steps 0…49", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("⠀", result.Stdout, StringComparison.Ordinal); // braille cells
        Assert.Contains("last: 0.02 at step 49", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsSearch_FilterAndOrder_ReturnsMatchingRunsInOrder()
    {
        await using (var client = TrackingClient.Open(_dir.Combine(".fathom")))
        {
            foreach (var (name, acc) in new[] { ("low", 0.2), ("mid", 0.6), ("high", 0.9) })
            {
                await client.RunAsync("search", (run, _) =>
                {
                    run.LogMetric("acc", acc);
                    run.LogParam("model", name == "low" ? "baseline" : "lr");
                    return Task.CompletedTask;
                }, new RunOptions { RunName = name, CaptureLineage = false });
            }
        }

        var result = await FathomProcess.RunAsync(_dir.Path, "runs", "search", "metrics.acc > 0.5 AND params.model = 'lr'", "-e", "search", "--order-by", "metrics.acc DESC", "--json");
        var bad = await FathomProcess.RunAsync(_dir.Path, "runs", "search", "metrics.acc >> 0.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var names = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_name").GetString());
        Assert.Equal(["high", "mid"], names);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("error:", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_OverTrackingServer_PrintsWhatTheEmbeddedStorePrints()
    {
        var runId = await SeedRunAsync();
        var options = new Fathom.Mlflow.TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(_dir.Combine(".fathom"), "/"), ArtifactsDestination = _dir.Combine(".fathom", "artifacts") };
        await using var server = Fathom.Mlflow.TrackingServerHost.Build(options);
        await server.StartAsync();
        var uri = server.Urls.First();

        var local = await FathomProcess.RunAsync(_dir.Path, "runs", "list", "--json");
        var remote = await FathomProcess.RunAsync(_dir.Path, "runs", "list", "--json", "--tracking-uri", uri);
        var show = await FathomProcess.RunAsync(_dir.Path, "runs", "show", runId, "--tracking-uri", uri);
        await server.StopAsync();

        Assert.True(remote.ExitCode == 0, remote.ToString());
        Assert.Equal(local.Stdout, remote.Stdout);
        Assert.Contains("test_accuracy", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_UnknownRun_ExitsNotFoundWithHint()
    {
        var result = await FathomProcess.RunAsync(_dir.Path, "runs", "show", "0123456789abcdef0123456789abcdef");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("No run with id", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("fathom runs list", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_BadUri_ExitsInvalidInputNamingTheFormat()
    {
        var result = await FathomProcess.RunAsync(_dir.Path, "runs", "list", "--store", "mysql://db/x");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sqlite:///", result.Stderr, StringComparison.Ordinal);
    }
}
