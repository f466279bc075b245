using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// The issue's story: a model trained on the sample, registered twice, served by a named endpoint on
/// <c>@champion</c>; under concurrent load the alias is promoted and rolled back — no request fails and the answers
/// switch version — and the endpoint comes back on its port after the server restarts.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EndpointsTests(TrainedRunFixture trained) : IClassFixture<TrainedRunFixture>, IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan SwapTimeout = TimeSpan.FromSeconds(90);
    private readonly EndpointSteps _steps = new(trained);

    public async Task InitializeAsync()
    {
        await _steps.StartServerAsync();
    }

    public async Task DisposeAsync() => await _steps.StopServerAsync();

    public void Dispose() => _steps.Dispose();

    [Fact]
    public async Task PromoteAndRollBackUnderLoad_NoRequestFails_AnswersSwitchVersion_AndTheEndpointSurvivesARestart()
    {
        await _steps.RegisterAsync("sentiment");
        await _steps.RegisterAsync("sentiment");
        await _steps.FathomAsync("models", "alias", "sentiment", "champion", "1");
        var created = await _steps.CreateEndpointAsync("reviews", "--model", "models:/sentiment@champion", "--replicas", "2");
        var url = created.GetProperty("url").GetString()!;
        Assert.Equal(["1"], created.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var seen = new ConcurrentQueue<long>();
        var failures = new ConcurrentQueue<string>();
        var requests = 0L;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (version, failure) = await EndpointSteps.ScoreAsync(http, url);
                Interlocked.Increment(ref requests);
                if (failure is not null)
                {
                    failures.Enqueue(failure);
                }
                else
                {
                    seen.Enqueue(version!.Value);
                }
            }
        })).ToList();

        async Task WaitForVersionAsync(long version)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < SwapTimeout)
            {
                if (seen.TakeLast(16).Count(v => v == version) == 16)
                {
                    return;
                }

                await Task.Delay(100);
            }

            Assert.Fail($"the endpoint did not switch to version {version} within {SwapTimeout}; logs:\n{(await _steps.FathomAsync("endpoints", "logs", "reviews")).Stdout}");
        }

        await WaitForVersionAsync(1);
        var promote = await _steps.FathomAsync("models", "alias", "sentiment", "champion", "2");
        await WaitForVersionAsync(2);
        var rollback = await _steps.FathomAsync("models", "rollback", "sentiment", "champion");
        await WaitForVersionAsync(1);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(promote.ExitCode == 0, promote.ToString());
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests} requests failed, e.g. {failures.FirstOrDefault()}");
        Assert.True(requests > 100, $"only {requests} requests were sent");
        // 1 first, then 2, then 1 again: each swap switched the answers once and for all.
        var runs = seen.Aggregate(new List<long>(), (acc, v) => { if (acc.Count == 0 || acc[^1] != v) { acc.Add(v); } return acc; });
        Assert.Equal([1L, 2L, 1L], runs);

        var described = await _steps.FathomAsync("endpoints", "describe", "reviews", "--json");
        using (var json = JsonDocument.Parse(described.Stdout))
        {
            Assert.Equal(["1"], json.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal(2, json.RootElement.GetProperty("replica_processes").GetArrayLength());
        }

        var logs = await _steps.FathomAsync("endpoints", "logs", "reviews");
        Assert.Contains("models:/sentiment@champion is now version 2", logs.Stdout, StringComparison.Ordinal);

        // The server keeps the endpoint: stopped and started again, it serves on the same URL.
        await _steps.StopServerAsync();
        Assert.NotNull((await EndpointSteps.ScoreAsync(http, url)).Failure);
        await _steps.StartServerAsync();
        var clock = Stopwatch.StartNew();
        (long? Version, string? Failure) answer;
        do
        {
            answer = await EndpointSteps.ScoreAsync(http, url);
            await Task.Delay(200);
        }
        while (answer.Failure is not null && clock.Elapsed < SwapTimeout);

        Assert.Equal((1L, (string?)null), (answer.Version, answer.Failure));
        var urlCommand = await _steps.FathomAsync("endpoints", "url", "reviews");
        var removed = await _steps.FathomAsync("endpoints", "remove", "reviews");
        Assert.Equal(url, urlCommand.StdoutLines.Single());
        Assert.True(removed.ExitCode == 0, removed.ToString());
    }

    [Fact]
    public async Task Canary_SplitsSessionsBetweenTwoVersions_AndASessionKeepsItsVersion()
    {
        await _steps.RegisterAsync("canary");
        await _steps.RegisterAsync("canary");
        var created = await _steps.CreateEndpointAsync("canary", "--model", "models:/canary/1", "--traffic", "v1=50,v2=50");
        var url = created.GetProperty("url").GetString()!;
        using var http = new HttpClient();

        var bySession = new Dictionary<string, HashSet<long>>();
        for (var s = 0; s < 40; s++)
        {
            var session = "user-" + s.ToString(System.Globalization.CultureInfo.InvariantCulture);
            bySession[session] = [];
            for (var i = 0; i < 3; i++)
            {
                var (version, failure) = await EndpointSteps.ScoreAsync(http, url, session);
                Assert.Null(failure);
                bySession[session].Add(version!.Value);
            }
        }

        var list = await _steps.FathomAsync("endpoints", "list");
        var removed = await _steps.FathomAsync("endpoints", "remove", "canary");
        var gone = await _steps.FathomAsync("endpoints", "describe", "canary");

        Assert.Equal("v1=50,v2=50", created.GetProperty("traffic").GetString());
        Assert.All(bySession.Values, versions => Assert.Single(versions));
        Assert.Equal([1L, 2L], bySession.Values.Select(v => v.Single()).Distinct().Order());
        Assert.Contains(list.StdoutLines, l => l.Contains("│ canary │ models:/canary/1 │ v1, v2 (v1=50,v2=50) │ ready", StringComparison.Ordinal));
        Assert.Equal("Removed endpoint canary.", removed.StdoutLines.Single());
        Assert.Equal(3, gone.ExitCode);
        Assert.NotNull((await EndpointSteps.ScoreAsync(http, url)).Failure);
    }

    [Fact]
    public async Task Mistakes_ExitWithOneClearLineAndKeepNothing()
    {
        await _steps.RegisterAsync("kept");
        await _steps.FathomAsync("models", "alias", "kept", "champion", "1");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var unknownModel = await _steps.FathomAsync("endpoints", "create", "ghost", "--model", "models:/nope@champion");
        var badTraffic = await _steps.FathomAsync("endpoints", "create", "split", "--model", "models:/kept/1", "--traffic", "v1=90,v2=20");
        var notAUri = await _steps.FathomAsync("endpoints", "create", "plain", "--model", "kept");
        var portTaken = await _steps.FathomAsync("endpoints", "create", "busy", "--model", "models:/kept@champion", "--port", takenPort);
        var badName = await _steps.FathomAsync("endpoints", "create", "Bad_Name", "--model", "models:/kept@champion");
        var list = await _steps.FathomAsync("endpoints", "list", "--json");

        Assert.Equal(3, unknownModel.ExitCode);
        Assert.Contains("Registered Model with name=nope not found", unknownModel.Stderr, StringComparison.Ordinal);
        Assert.Equal((2, "error: --traffic: the shares add up to 110%; they must add up to 100."), (badTraffic.ExitCode, badTraffic.Stderr.Trim()));
        Assert.Equal(2, notAUri.ExitCode);
        Assert.Contains("model: 'kept' is not a registry URI", notAUri.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, portTaken.ExitCode);
        Assert.Contains($"port: {takenPort} is in use", portTaken.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("name: 'Bad_Name' is not an endpoint name", badName.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(list.Stdout);
        Assert.DoesNotContain(json.RootElement.GetProperty("endpoints").EnumerateArray(),
            e => e.GetProperty("name").GetString() is "ghost" or "split" or "plain" or "busy" or "bad-name");
    }
}
