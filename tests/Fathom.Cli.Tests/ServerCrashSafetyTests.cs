using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli.Tests;

public sealed class ServerCrashSafetyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KillDashNine_DuringIngest_EveryAcknowledgedBatchSurvivesAndStoreIsConsistent()
    {
        var port = Loopback.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var server = await ServerProcessSteps.StartHealthyAsync(_dir.Path, http, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string runId;
        try
        {
            var experiment = await ServerProcessSteps.PostAsync(http, "experiments/create", new { name = "crash" });
            var run = await ServerProcessSteps.PostAsync(http, "runs/create", new { experiment_id = experiment.GetProperty("experiment_id").GetString(), start_time = 1 });
            runId = run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

            var acknowledged = new ConcurrentBag<int>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
            {
                for (var batch = writer; !stop.IsCancellationRequested && batch < 100_000; batch += 4)
                {
                    var metrics = Enumerable.Range(0, 200).Select(i => new { key = "m", value = (double)i, timestamp = 1L, step = (long)(batch * 200 + i) });
                    try
                    {
                        using var content = new StringContent(JsonSerializer.Serialize(new { run_id = runId, metrics }), Encoding.UTF8, "application/json");
                        using var response = await http.PostAsync("/api/2.0/mlflow/runs/log-batch", content);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add(batch);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                }
            })).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(2));
            server.Kill(); // SIGKILL: no shutdown, no flush
            await server.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            server.Dispose();

            server = await ServerProcessSteps.StartHealthyAsync(_dir.Path, http, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var history = await ServerProcessSteps.GetAsync(http, $"metrics/get-history?run_id={runId}&metric_key=m");
            var steps = history.TryGetProperty("metrics", out var points) ? points.EnumerateArray().Select(p => p.GetProperty("step").GetInt64()).ToHashSet() : [];

            Assert.True(acknowledged.Count > 10, $"only {acknowledged.Count} batches were acknowledged before the kill");
            foreach (var batch in acknowledged)
            {
                Assert.Contains((long)batch * 200, steps);
                Assert.Contains((long)batch * 200 + 199, steps);
            }

            Assert.Equal(0, steps.Count % 200); // batches are all or nothing
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }

            server.Dispose();
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_dir.Combine(".fathom", "fathom.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", await check.ExecuteScalarAsync());
    }
}
