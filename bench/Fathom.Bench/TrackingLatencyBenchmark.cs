using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fathom.Mlflow;
using Fathom.Tracking;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// Latency of one client logging as MLflow's does: log-batch requests of 1,000 metrics (10 keys, about 85 KB of JSON)
/// sent one after the other from one thread to the built <c>fathom server</c> in a process of its own, started fresh
/// for each round so that its first requests are really its first. Reported apart: the first requests after the start
/// ("cold": start-up's JIT and the store's first pages in them), and the steady state ("warm": after <c>--settle</c>
/// untimed requests and a pause, so tiered JIT's recompiles of the hot path are done), with the loopback floor (a
/// <c>/health</c> round trip) and the server's CPU per request: on a shared machine wall times wait for the cores, and
/// the CPU a request costs is the steadier measure of the server's share. Then, in this process, where a warm request's
/// CPU goes: reading the body, writing the points, the rest (Kestrel, routing, the client).
/// <c>tracking-latency [--starts 3] [--cold 20] [--settle 300] [--requests 200] [--fathom PATH] [--env NAME=VALUE …] [--store URI]</c>
/// </summary>
internal static class TrackingLatencyBenchmark
{
    private const int PointsPerRequest = 1000;
    private const int KeysPerRequest = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var starts = int.Parse(Option(args, "--starts") ?? "3", CultureInfo.InvariantCulture);
        var cold = int.Parse(Option(args, "--cold") ?? "20", CultureInfo.InvariantCulture);
        var requests = int.Parse(Option(args, "--requests") ?? "200", CultureInfo.InvariantCulture);
        var settle = int.Parse(Option(args, "--settle") ?? "300", CultureInfo.InvariantCulture);
        var environment = args.Select((a, i) => (a, i)).Where(p => p.a == "--env" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
        var cli = PublishedCli(args);
        if (cli is null)
        {
            return 1;
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; server: {cli.Description}{(environment.Count == 0 ? string.Empty : "; env " + string.Join(' ', environment))}");
        var rounds = new List<Round>();
        // Round 0 is not reported: it warms this client's own code (HttpClient, sockets), so "cold" is the server's.
        // --starts 0: the in-process breakdown alone (to profile it).
        for (var start = 0; starts > 0 && start <= starts; start++)
        {
            var round = await OneStartAsync(cli, environment, Option(args, "--store"), cold, settle, requests);
            if (start > 0)
            {
                rounds.Add(round);
                Console.WriteLine($"start {start}: healthy after {round.HealthyMs:0} ms; first create-run {round.CreateRunMs:0.0} ms; log-batch 1..3 {string.Join(" / ", round.Cold.Take(3).Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))} ms, p50 of the first {cold} {Percentile(Sorted(round.Cold), 0.5):0.0} ms, server CPU {round.ColdCpuMsPerRequest:0.0} ms a cold request; warm p50 {Percentile(round.Warm, 0.5):0.00} ms, server CPU {round.ServerCpuMsPerRequest:0.00} ms a warm request; load {LoadAverage()}");
            }
        }

        if (rounds.Count == 0)
        {
            await BreakdownAsync(requests);
            return 0;
        }

        var coldAll = Sorted(rounds.SelectMany(r => r.Cold));
        var firsts = Sorted(rounds.Select(r => r.Cold[0]));
        var warmAll = Sorted(rounds.SelectMany(r => r.Warm));
        var floor = Sorted(rounds.SelectMany(r => r.Floor));
        Console.WriteLine($"cold (first {cold} log-batch requests after each of {starts} starts): first request median {Percentile(firsts, 0.5):0.0} ms; all {coldAll.Count}: p50 {Percentile(coldAll, 0.5):0.00} ms, p95 {Percentile(coldAll, 0.95):0.0} ms, max {coldAll[^1]:0.0} ms; server CPU {rounds.Average(r => r.ColdCpuMsPerRequest):0.0} ms a cold request");
        Console.WriteLine($"warm ({requests} per start after {settle} untimed and a pause): p50 {Percentile(warmAll, 0.5):0.00} ms, p95 {Percentile(warmAll, 0.95):0.00} ms, max {warmAll[^1]:0.0} ms; loopback floor (GET /health) p50 {Percentile(floor, 0.5):0.00} ms; server CPU {rounds.Average(r => r.ServerCpuMsPerRequest):0.00} ms a warm request; load {LoadAverage()}");
        await BreakdownAsync(requests);
        return 0;
    }

    private sealed record Round(double HealthyMs, double CreateRunMs, List<double> Cold, double ColdCpuMsPerRequest, List<double> Warm, List<double> Floor, double ServerCpuMsPerRequest);

    private static async Task<Round> OneStartAsync(CliUnderTest cli, List<string> environment, string? store, int cold, int settle, int requests)
    {
        var work = Path.Combine(Path.GetTempPath(), "fathom-bench-latency", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var port = ServerProcessSupport.FreePort();
        var start = new ProcessStartInfo(cli.Program, [.. cli.Prefix, "server", "--port", port.ToString(CultureInfo.InvariantCulture), "--store", store ?? work])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        foreach (var pair in environment)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            start.Environment[pair[..eq]] = pair[(eq + 1)..];
        }

        var started = Stopwatch.StartNew();
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"server: {e.Data}"); } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await ServerProcessSupport.WaitForHealthAsync(http, server, TimeSpan.FromMilliseconds(25));
            var healthy = started.Elapsed.TotalMilliseconds;
            var timer = Stopwatch.StartNew();
            var runId = (await PostAsync(http, "/api/2.0/mlflow/runs/create", Encoding.UTF8.GetBytes("""{"experiment_id": "0", "run_name": "latency", "start_time": 1}""")))
                .RootElement.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
            var createRun = timer.Elapsed.TotalMilliseconds;
            // Bodies are made before the clock starts: the measurement is the server, not string formatting.
            var bodies = Enumerable.Range(0, cold + settle + requests).Select(r => Encoding.UTF8.GetBytes(BatchBody(runId, r))).ToList();
            var coldCpu = ServerProcessSupport.CpuMilliseconds(server.Id);
            var coldTimes = new List<double>();
            for (var i = 0; i < cold; i++)
            {
                coldTimes.Add(await TimeLogBatchAsync(http, bodies[i]));
            }

            coldCpu = (ServerProcessSupport.CpuMilliseconds(server.Id) - coldCpu) / Math.Max(1, cold);
            for (var i = cold; i < cold + settle; i++)
            {
                await TimeLogBatchAsync(http, bodies[i]);
            }

            // Tiered JIT recompiles hot methods on a background thread once calls settle (the CLI sets a 1 s delay).
            await Task.Delay(2000);
            var cpuBefore = ServerProcessSupport.CpuMilliseconds(server.Id);
            var warm = new List<double>();
            for (var i = cold + settle; i < cold + settle + requests; i++)
            {
                warm.Add(await TimeLogBatchAsync(http, bodies[i]));
            }

            var cpuPerRequest = (ServerProcessSupport.CpuMilliseconds(server.Id) - cpuBefore) / requests;
            var floor = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                timer.Restart();
                using var health = await http.GetAsync("/health");
                await health.Content.ReadAsByteArrayAsync();
                floor.Add(timer.Elapsed.TotalMilliseconds);
            }

            return new Round(healthy, createRun, coldTimes, coldCpu, Sorted(warm), floor, cpuPerRequest);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<double> TimeLogBatchAsync(HttpClient http, byte[] body)
    {
        var stopwatch = Stopwatch.StartNew();
        using var document = await PostAsync(http, "/api/2.0/mlflow/runs/log-batch", body);
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// A warm request taken apart in this process, on the same body: the one-pass read of the body into the batch, the
    /// SQLite store's write of it, and the whole request through an in-process server; the rest is Kestrel, routing
    /// and the client.
    /// </summary>
    private static async Task BreakdownAsync(int requests)
    {
        var work = Path.Combine(Path.GetTempPath(), "fathom-bench-latency", Guid.NewGuid().ToString("N"));
        try
        {
            var options = new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(work, work), ArtifactsDestination = Path.Combine(work, "artifacts") };
            await using var app = TrackingServerHost.Build(options);
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var store = (ITrackingStore)app.Services.GetService(typeof(ITrackingStore))!;
            var httpRun = (await PostAsync(http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0", "start_time": 1}"""u8.ToArray())).RootElement.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
            var storeRun = (await store.CreateRunAsync(new CreateRunRequest("0", "store", "bench", 1, []), CancellationToken.None)).RunId;
            var warmUp = 50;
            var bodies = Enumerable.Range(0, warmUp + requests).Select(r => Encoding.UTF8.GetBytes(BatchBody(httpRun, r))).ToList();
            var batches = bodies.Select(b => LogBatchReader.TryRead(b) ?? throw new InvalidOperationException("the one-pass reader declined the bench's body")).ToList();

            for (var i = 0; i < warmUp; i++)
            {
                GC.KeepAlive(LogBatchReader.TryRead(bodies[i]));
                await store.LogBatchAsync(storeRun, batches[i].Metrics, [], [], CancellationToken.None);
                await TimeLogBatchAsync(http, bodies[i]);
            }

            await Task.Delay(2000);
            // Each step in a loop of its own, its CPU read from getrusage (microseconds, all threads): a phase's wall
            // time on a shared machine is mostly its wait for a core.
            var (parse, parseCpu) = await PhaseAsync(requests, i =>
            {
                GC.KeepAlive(LogBatchReader.TryRead(bodies[warmUp + i]));
                return Task.CompletedTask;
            });
            var (write, writeCpu) = await PhaseAsync(requests, i => store.LogBatchAsync(storeRun, batches[warmUp + i].Metrics, [], [], CancellationToken.None));
            var (whole, wholeCpu) = await PhaseAsync(requests, i => TimeLogBatchAsync(http, bodies[warmUp + i]));
            var (health, healthCpu) = await PhaseAsync(requests, async _ =>
            {
                using var response = await http.GetAsync("/health");
                await response.Content.ReadAsByteArrayAsync();
            });
            Console.WriteLine($"breakdown (in process, after {warmUp} warm-ups and a pause; p50 wall / CPU per call over {requests}): read the body {Percentile(parse, 0.5):0.00} / {parseCpu:0.00} ms; SQLite write of 1,000 points {Percentile(write, 0.5):0.00} / {writeCpu:0.00} ms; the whole request over loopback {Percentile(whole, 0.5):0.00} / {wholeCpu:0.00} ms (server and client); GET /health {Percentile(health, 0.5):0.00} / {healthCpu:0.00} ms; so HTTP, routing and the client take {wholeCpu - parseCpu - writeCpu:0.00} ms CPU; load {LoadAverage()}");
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task<(List<double> Wall, double CpuMs)> PhaseAsync(int count, Func<int, Task> call)
    {
        var times = new List<double>(count);
        var cpu = ProcessCpuMilliseconds();
        for (var i = 0; i < count; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await call(i);
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        return (Sorted(times), (ProcessCpuMilliseconds() - cpu) / count);
    }

    // getrusage(RUSAGE_SELF): user and system time of every thread of this process, to the microsecond.
    private static double ProcessCpuMilliseconds()
    {
        var usage = new long[18];
        return GetRUsage(0, usage) == 0 ? (usage[0] * 1000.0) + (usage[1] / 1000.0) + (usage[2] * 1000.0) + (usage[3] / 1000.0) : double.NaN;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRUsage(int who, [System.Runtime.InteropServices.Out] long[] usage);

    private static async Task<JsonDocument> PostAsync(HttpClient http, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(path, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(bytes) : throw new InvalidOperationException($"{path}: {response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
    }

    private static string BatchBody(string runId, int request)
    {
        var sb = new StringBuilder($$"""{"run_id": "{{runId}}", "metrics": [""");
        var perKey = PointsPerRequest / KeysPerRequest;
        for (var i = 0; i < PointsPerRequest; i++)
        {
            var step = (request * perKey) + (i / KeysPerRequest);
            sb.Append(i == 0 ? string.Empty : ", ").Append(CultureInfo.InvariantCulture, $$"""{"key": "m{{i % KeysPerRequest}}", "value": {{step * 0.001}}, "timestamp": {{1_700_000_000_000L + step}}, "step": {{step}}}""");
        }

        return sb.Append("]}").ToString();
    }

    private static List<double> Sorted(IEnumerable<double> values) => [.. values.Order()];

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
