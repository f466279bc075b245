using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fathom.Tracking;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The tracking server as users run it: the built <c>fathom server</c> in a process of its own over a SQLite store
/// seeded beforehand with many runs and one 100,000-step metric. Measures get-history of that metric and
/// search/get over HTTP, and the server process's peak resident memory (VmHWM in <c>/proc/&lt;pid&gt;/status</c>),
/// so the bench client's own memory is not counted. Part of <c>tracking-server --process-runs 100000</c>.
/// </summary>
internal static class TrackingServerProcessBenchmark
{
    private const int HistorySteps = 100_000;

    /// <summary>This part alone: <c>tracking-server-process [--runs 100000] [--fathom path/to/fathom.dll]</c>.</summary>
    public static async Task<int> RunCommandAsync(string[] args)
    {
        var runs = Array.IndexOf(args, "--runs") is var r and >= 0 && r + 1 < args.Length ? int.Parse(args[r + 1], CultureInfo.InvariantCulture) : 100_000;
        var fathom = Array.IndexOf(args, "--fathom") is var f and >= 0 && f + 1 < args.Length ? args[f + 1] : null;
        await RunAsync(runs, fathom);
        return 0;
    }

    public static async Task RunAsync(int runs, string? fathom)
    {
        fathom ??= DefaultCli();
        if (!File.Exists(fathom))
        {
            Console.Error.WriteLine($"server process: {fathom} not found: build the CLI first (dotnet build -c Release src/Fathom.Cli) or pass --fathom.");
            return;
        }

        var work = Path.Combine(Path.GetTempPath(), "fathom-bench-server-process", Guid.NewGuid().ToString("N"));
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        var location = StoreLocation.Parse(work, "/");
        var (experimentId, historyRunId, sampleRunIds) = await SeedAsync(location.DatabasePath!, runs);
        var port = ServerProcessSupport.FreePort();
        var start = new ProcessStartInfo("dotnet", [fathom, "server", "--port", port.ToString(CultureInfo.InvariantCulture), "--store", work])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"server: {e.Data}"); } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            var ready = Stopwatch.StartNew();
            await ServerProcessSupport.WaitForHealthAsync(http, server, TimeSpan.FromMilliseconds(50));
            Console.WriteLine($"server process: healthy {ready.ElapsedMilliseconds} ms after start, {runs:N0} runs in the store; VmRSS {Status(server.Id, "VmRSS")}");

            await HistoryAsync(http, historyRunId, server.Id);
            await SearchAndGetAsync(http, experimentId, sampleRunIds, server.Id);
            Console.WriteLine($"server process: memory VmHWM (peak RSS) {Status(server.Id, "VmHWM")}, VmRSS now {Status(server.Id, "VmRSS")} (target < 200 MB)");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    // Seeded through the store in large transactions-per-call batches: the measurement is the server, not set-up.
    private static async Task<(string ExperimentId, string HistoryRunId, List<string> SampleRunIds)> SeedAsync(string databasePath, int runs)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var store = SqliteTrackingStore.Open(databasePath, "mlflow-artifacts:/", TimeProvider.System);
        var experimentId = await store.CreateExperimentAsync("memory-bench", null, [], CancellationToken.None);
        var random = new Random(42);
        var sample = new List<string>();
        for (var i = 0; i < runs; i++)
        {
            var info = await store.CreateRunAsync(new CreateRunRequest(experimentId, $"run-{i}", "bench", 1_700_000_000_000L + i, [new Tag("team", i % 2 == 0 ? "nlp" : "vision")]), CancellationToken.None);
            await store.LogBatchAsync(info.RunId,
                [new Metric("acc", random.NextDouble(), 1, 0), new Metric("loss", random.NextDouble(), 1, 0)],
                [new Param("model", i % 3 == 0 ? "lr" : "svm"), new Param("lr", "0.01")], [], CancellationToken.None);
            if (i % Math.Max(1, runs / 1000) == 0)
            {
                sample.Add(info.RunId);
            }
        }

        var history = await store.CreateRunAsync(new CreateRunRequest(experimentId, "long-history", "bench", 1, []), CancellationToken.None);
        for (var chunk = 0; chunk < HistorySteps / 1000; chunk++)
        {
            var points = Enumerable.Range(chunk * 1000, 1000).Select(step => new Metric("loss", 1.0 / (step + 1), 1_700_000_000_000L + step, step)).ToList();
            await store.LogBatchAsync(history.RunId, points, [], [], CancellationToken.None);
        }

        Console.WriteLine($"server process: seeded {runs:N0} runs and a {HistorySteps:N0}-step metric in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        return (experimentId, history.RunId, sample);
    }

    private static async Task HistoryAsync(HttpClient http, string runId, int serverPid)
    {
        var times = new List<double>();
        var count = 0;
        var cpuBefore = 0.0;
        for (var i = 0; i < 22; i++)
        {
            if (i == 2)
            {
                cpuBefore = ServerProcessSupport.CpuMilliseconds(serverPid);
            }

            var stopwatch = Stopwatch.StartNew();
            using var response = await http.GetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss");
            var bytes = await response.Content.ReadAsByteArrayAsync();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
            if (i == 0)
            {
                count = JsonDocument.Parse(bytes).RootElement.GetProperty("metrics").GetArrayLength();
            }
        }

        // CPU time the server spent per request: unlike wall time, it barely moves when other work shares the cores.
        var cpuPerRequest = (ServerProcessSupport.CpuMilliseconds(serverPid) - cpuBefore) / 20;
        times = [.. times.Skip(2).Order()];
        Console.WriteLine($"server process: get-history {count:N0} points, p50 {Percentile(times, 0.5):0.0} ms, p95 {Percentile(times, 0.95):0.0} ms, server CPU {cpuPerRequest:0} ms a request (20 requests after 2 warm-ups, body read included)");
    }

    private static async Task SearchAndGetAsync(HttpClient http, string experimentId, List<string> runIds, int serverPid)
    {
        var body = $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "metrics.acc > 0.5", "order_by": ["metrics.acc DESC"], "max_results": 100}""";
        var searchTimes = new List<double>();
        var cpuBefore = 0.0;
        for (var i = 0; i < 60; i++)
        {
            if (i == 10)
            {
                cpuBefore = ServerProcessSupport.CpuMilliseconds(serverPid);
            }

            var stopwatch = Stopwatch.StartNew();
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/api/2.0/mlflow/runs/search", content);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            searchTimes.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        var searchCpuMs = (ServerProcessSupport.CpuMilliseconds(serverPid) - cpuBefore) / 50;

        // A page of 1,000 runs (MLflow's largest default page) and every sampled run by id.
        using (var content = new StringContent($$"""{"experiment_ids": ["{{experimentId}}"], "max_results": 1000}""", Encoding.UTF8, "application/json"))
        {
            (await http.PostAsync("/api/2.0/mlflow/runs/search", content)).EnsureSuccessStatusCode();
        }

        var getTimes = new List<double>();
        foreach (var runId in runIds)
        {
            var stopwatch = Stopwatch.StartNew();
            (await http.GetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).EnsureSuccessStatusCode();
            getTimes.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        searchTimes = [.. searchTimes.Skip(10).Order()];
        getTimes = [.. getTimes.Order()];
        Console.WriteLine($"server process: search-runs top 100: p50 {Percentile(searchTimes, 0.5):0.0} ms, p95 {Percentile(searchTimes, 0.95):0.0} ms, server CPU {searchCpuMs:0.0} ms a request; load {LoadAverage()}; runs/get of {getTimes.Count:N0} runs: p50 {Percentile(getTimes, 0.5):0.00} ms");
    }

    private static string Status(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        if (line is null)
        {
            return "n/a";
        }

        var kb = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return $"{kb / 1024.0:0} MB";
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
