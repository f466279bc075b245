using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// The drift loop as a team runs it: a model trained by <c>fathom train</c> keeps its baseline, <c>fathom serve
/// --prediction-log</c> records sampled traffic, and <c>fathom monitor report</c> passes on traffic like the
/// held-out reviews and fails (exit 1) on shifted traffic.
/// </summary>
public sealed class MonitorCommandTests(TrainedRunFixture trained) : IClassFixture<TrainedRunFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Report_TrafficLikeTheTestSet_IsOk_ThenShiftedTraffic_DriftsWithExit1AndAnHtmlReport()
    {
        var log = Path.Combine(_dir.Path, "predictions");
        var port = Loopback.FreePort();
        using var server = FathomProcess.Start(trained.Project, new Dictionary<string, string>(), "serve", "--model", $"runs:/{trained.RunId}/model",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--prediction-log", log, "--prediction-sample", "1");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await Loopback.WaitForHealthAsync(http, server, TimeSpan.FromSeconds(30));
            // The baseline is the sample's test split scored by the model: the same reviews as traffic are no drift.
            var held = Directory.EnumerateFiles(Path.Combine(RepositorySamples.Imdb, "test"), "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
            await SendAsync(http, held);
            await WaitForLinesAsync(log, held.Count);

            var calm = await FathomProcess.RunAsync(trained.Project, "monitor", "report", log, "--json");

            Assert.True(calm.ExitCode == 0, calm.ToString());
            using (var json = JsonDocument.Parse(calm.Stdout))
            {
                Assert.Equal(held.Count, json.RootElement.GetProperty("recent_reviews").GetInt32());
                Assert.Equal("ok", json.RootElement.GetProperty("verdict").GetString());
            }

            // Short reviews of words the model never saw: length, out-of-vocabulary rate and scores all move.
            var random = new Random(3);
            var shifted = Enumerable.Range(0, 400).Select(_ => string.Join(' ', Enumerable.Range(0, 5).Select(_ => "zq" + random.Next(100_000).ToString(CultureInfo.InvariantCulture)))).ToList();
            var since = DateTimeOffset.UtcNow.AddSeconds(-1);
            await Task.Delay(1100);
            await SendAsync(http, shifted);
            await WaitForLinesAsync(log, held.Count + shifted.Count);
            var html = Path.Combine(_dir.Path, "drift.html");

            var drifted = await FathomProcess.RunAsync(trained.Project, "monitor", "report", log, "--since", "2m", "--html", html);
            var recentOnly = await FathomProcess.RunAsync(trained.Project, "monitor", "report", log, "--since", since.AddSeconds(1).ToString("O", CultureInfo.InvariantCulture), "--json");

            Assert.True(drifted.ExitCode == 1, drifted.ToString());
            Assert.Contains("out_of_vocabulary_rate", drifted.Stdout, StringComparison.Ordinal);
            Assert.Contains("drift", drifted.Stdout, StringComparison.Ordinal);
            Assert.Contains("<svg", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
            Assert.Equal(1, recentOnly.ExitCode);
            using var recent = JsonDocument.Parse(recentOnly.Stdout);
            Assert.Equal(shifted.Count, recent.RootElement.GetProperty("recent_reviews").GetInt32());
            var oov = recent.RootElement.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("feature").GetString() == "out_of_vocabulary_rate");
            Assert.Equal(1.0, oov.GetProperty("recent_mean").GetDouble());
            Assert.Equal("drift", oov.GetProperty("verdict").GetString());
            Assert.DoesNotContain("zq", string.Concat(Directory.EnumerateFiles(log, "*.jsonl").Select(File.ReadAllText)), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Report_BadThresholdsKey_ExitsInvalidNamingTheFileLineAndTheNearestKey()
    {
        var log = Path.Combine(_dir.Path, "empty-log");
        Directory.CreateDirectory(log);
        var thresholds = Path.Combine(_dir.Path, "thresholds.yml");
        await File.WriteAllTextAsync(thresholds, "psi_warn: 0.1\npsi_drfit: 0.3\n");

        var result = await FathomProcess.RunAsync(trained.Project, "monitor", "report", log, "--thresholds", thresholds);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("thresholds.yml:2", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("psi_drift", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_NoBaseline_SaysWhereOneComesFrom()
    {
        var log = Path.Combine(_dir.Path, "log-without-baseline");
        Directory.CreateDirectory(log);

        var result = await FathomProcess.RunAsync(trained.Project, "monitor", "report", log);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--baseline", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task SendAsync(HttpClient http, IReadOnlyList<string> texts)
    {
        foreach (var chunk in texts.Chunk(20))
        {
            using var response = await http.PostAsJsonAsync("/api/v1/model/predict", new { reviews = chunk.Select((text, i) => new { id = i, text }).ToArray() });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task WaitForLinesAsync(string log, int lines)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var count = Directory.Exists(log) ? Directory.EnumerateFiles(log, "*.jsonl").Sum(f => File.ReadLines(f).Count()) : 0;
            if (count >= lines)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the prediction log did not reach {lines} lines");
    }
}
