using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// kill -9 of <c>fathom server --store postgresql://…</c> during heavy log-batch ingest: what the server acknowledged
/// is stored, nothing half-written is, and each run's latest metrics agree with its stored points.
/// </summary>
public sealed class ServerCrashSafetyPostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private const int Writers = 6;
    private const int Runs = 2;
    private const int PointsPerKey = 100;
    private static readonly string[] Keys = ["loss", "acc"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web); // camelCase: key, value, timestamp, step

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    public async Task KillDashNine_DuringIngestOnPostgres_EveryAcknowledgedPointSurvivesAndLatestMetricsAgree()
    {
        Skip.If(postgres.Unavailable is not null, postgres.Unavailable);
        var store = await postgres.CreateDatabaseAsync();
        var port = Loopback.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var server = await ServerProcessSteps.StartHealthyAsync(_dir.Path, http, "--port", port.ToString(CultureInfo.InvariantCulture), "--store", store);
        var runIds = new string[Runs];
        var acknowledged = new ConcurrentBag<(int Run, int Batch)>();
        try
        {
            var experiment = await ServerProcessSteps.PostAsync(http, "experiments/create", new { name = "crash" });
            for (var r = 0; r < Runs; r++)
            {
                var run = await ServerProcessSteps.PostAsync(http, "runs/create", new { experiment_id = experiment.GetProperty("experiment_id").GetString(), start_time = 1 });
                runIds[r] = run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
            }

            // Three writers per run, their batches interleaved, so no single writer's last batch decides the latest point.
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                var run = writer % Runs;
                for (var batch = writer / Runs; !stop.IsCancellationRequested; batch += Writers / Runs)
                {
                    try
                    {
                        using var content = new StringContent(JsonSerializer.Serialize(new { run_id = runIds[run], metrics = Batch(batch) }, Json), Encoding.UTF8, "application/json");
                        using var response = await http.PostAsync("/api/2.0/mlflow/runs/log-batch", content);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add((run, batch));
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                }
            })).ToArray();

            // Kill while every writer still has a request in flight.
            var waited = Stopwatch.StartNew();
            while (acknowledged.Count < 60 && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }

            server.Kill(); // SIGKILL: no shutdown, no flush, connections to PostgreSQL cut mid-transaction
            await server.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            server.Dispose();
            server = await ServerProcessSteps.StartHealthyAsync(_dir.Path, http, "--port", port.ToString(CultureInfo.InvariantCulture), "--store", store);

            Assert.True(acknowledged.Count >= 60, $"only {acknowledged.Count} batches were acknowledged before the kill");
            for (var r = 0; r < Runs; r++)
            {
                var mine = acknowledged.Where(a => a.Run == r).Select(a => a.Batch).ToList();
                var latest = (await ServerProcessSteps.GetAsync(http, $"runs/get?run_id={runIds[r]}")).GetProperty("run").GetProperty("data").GetProperty("metrics")
                    .EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, Point);
                foreach (var key in Keys)
                {
                    var history = (await ServerProcessSteps.GetAsync(http, $"metrics/get-history?run_id={runIds[r]}&metric_key={key}")).GetProperty("metrics").EnumerateArray().Select(Point).ToList();
                    var stored = history.ToHashSet();
                    var missing = mine.SelectMany(batch => Batch(batch).Where(p => p.Key == key)).Count(p => !stored.Contains((p.Step, p.Timestamp, p.Value)));
                    Assert.True(missing == 0, $"run {r}, {key}: {missing} acknowledged points are missing");
                    Assert.Equal(history.Count, stored.Count);
                    Assert.Equal(0, history.Count % PointsPerKey); // a batch is stored whole or not at all
                    // MLflow's latest: the maximum step, then timestamp, then value, over what is stored.
                    Assert.Equal(history.Max(), latest[key]);
                }
            }
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }

            server.Dispose();
        }
    }

    // Each key gets PointsPerKey points; steps repeat with different timestamps and values, and a later batch
    // does not always have the later timestamp, so the latest point is not simply the last one sent.
    private static List<SentPoint> Batch(int batch) =>
        [.. Keys.SelectMany(key => Enumerable.Range(0, PointsPerKey).Select(i =>
            new SentPoint(key, ((batch * 7919) + i) % 1000, 1_000L + (batch % 5) + (i % 3), ((long)batch * (PointsPerKey / 2)) + (i / 2))))];

    private static (long Step, long Timestamp, double Value) Point(JsonElement metric) =>
        (metric.GetProperty("step").GetInt64(), metric.GetProperty("timestamp").GetInt64(), metric.GetProperty("value").GetDouble());

    private sealed record SentPoint(string Key, double Value, long Timestamp, long Step);
}
