using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.Extensions.DependencyInjection;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The tracking server's targets, over loopback HTTP against an in-process server on a temp SQLite store (or
/// PostgreSQL: <c>--postgres</c> starts a throw-away cluster, <c>--store postgresql://…</c> uses a running one):
/// log-batch ingest with concurrent writers (store alone, then over HTTP, with a check that no point was lost),
/// search-runs with a metric filter and ORDER BY over each of <c>--runs</c>, get-history of a 100,000-step metric, memory.
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- tracking-server [--auth] [--writers 8] [--requests 25] [--warm-up N] [--runs 5000,100000] [--only ingest,history,search] [--postgres | --store URI] [--process-runs 100000 [--fathom path/to/fathom.dll]]</c>
/// </summary>
internal static class TrackingServerBenchmark
{
    private const int PointsPerRequest = 1000;
    private const int KeysPerRequest = 10;
    private const int MinWarmUpRounds = 5;
    private const int MaxWarmUpRounds = 60;

    public static async Task<int> RunAsync(string[] args)
    {
        var writers = int.Parse(Option(args, "--writers") ?? "8", CultureInfo.InvariantCulture);
        var requests = int.Parse(Option(args, "--requests") ?? "25", CultureInfo.InvariantCulture);
        // --warm-up N: exactly N warm-up requests per writer (5 was the fixed count before the JIT-settled warm-up).
        var warmUp = Option(args, "--warm-up") is { } fixedWarmUp ? int.Parse(fixedWarmUp, CultureInfo.InvariantCulture) : (int?)null;
        // --only ingest,history,search: the parts to run (all by default), to iterate on one of them.
        // --ingest-only is the older spelling of --only ingest.
        var only = args.Contains("--ingest-only") ? ["ingest"] : Option(args, "--only")?.Split(',');
        bool Wanted(string part) => only is null || only.Contains(part);
        var runCounts = (Option(args, "--runs") ?? "5000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        // A folder of its own: a fixed name let two benches on one machine delete each other's store mid-run.
        var work = Path.Combine(Path.GetTempPath(), "fathom-bench-tracking-server", Guid.NewGuid().ToString("N"));

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        await using var postgres = args.Contains("--postgres") ? await BenchPostgres.StartAsync() : null;
        var storeUri = postgres?.Uri ?? Option(args, "--store");
        Console.WriteLine($"store: {(storeUri is null ? "SQLite (temp folder)" : UriRedaction.Redact(storeUri))}{(postgres is null ? string.Empty : " (throw-away cluster, fsync and synchronous_commit on)")}");
        var startup = Stopwatch.StartNew();
        var options = new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(storeUri ?? work, work), ArtifactsDestination = Path.Combine(work, "artifacts") };
        // --auth: basic-auth on, every request from a plain user whom the default permission (EDIT) lets write, so each
        // one is signed in (from the credential cache) and checked against the run or experiment it names.
        var auth = args.Contains("--auth");
        if (auth)
        {
            options = new TrackingServerOptions
            {
                Port = 0,
                Store = options.Store,
                ArtifactsDestination = options.ArtifactsDestination,
                Auth = new Fathom.Auth.AuthOptions { Enabled = true, DatabasePath = Path.Combine(work, "basic_auth.db"), AdminPassword = "bench-admin-password", DefaultPermission = Fathom.Auth.AccessLevel.Edit },
            };
        }

        await using var app = TrackingServerHost.Build(options);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        (await http.GetAsync("/health")).EnsureSuccessStatusCode();
        if (auth)
        {
            http.DefaultRequestHeaders.Authorization = Basic("admin", "bench-admin-password");
            (await http.PostAsync("/api/2.0/mlflow/users/create", new StringContent("""{"username": "bench", "password": "bench-user-password"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Authorization = Basic("bench", "bench-user-password");
            Console.WriteLine("auth: on, requests from a plain user with EDIT by default (every request checked)");
        }
        Console.WriteLine($"startup: {startup.ElapsedMilliseconds} ms to the first healthy answer (in-process)");

        var store = app.Services.GetRequiredService<ITrackingStore>();
        if (Wanted("ingest"))
        {
            await IngestStoreOnlyAsync(store, writers, requests, warmUp, postgres);
            await IngestAsync(http, writers, requests, warmUp, postgres);
        }

        if (Wanted("history"))
        {
            await HistoryAsync(http, store);
        }

        var seeded = 0;
        var experiment = await Post(http, "experiments/create", """{"name": "search-bench"}""");
        var experimentId = experiment.GetProperty("experiment_id").GetString()!;
        foreach (var target in runCounts.Order().Where(_ => Wanted("search")))
        {
            seeded = await SeedAsync(store, experimentId, seeded, target);
            await SearchAsync(http, experimentId, target, postgres);
        }

        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"memory: working set {process.WorkingSet64 / 1e6:0} MB, peak {process.PeakWorkingSet64 / 1e6:0} MB, managed heap {GC.GetTotalMemory(false) / 1e6:0} MB (server and bench client in one process, {seeded:N0} runs in the store)");
        await app.StopAsync();
        await app.DisposeAsync();
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        if (Option(args, "--process-runs") is { } processRuns)
        {
            await TrackingServerProcessBenchmark.RunAsync(int.Parse(processRuns, CultureInfo.InvariantCulture), Option(args, "--fathom"));
        }

        return 0;
    }

    private static System.Net.Http.Headers.AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task IngestAsync(HttpClient http, int writers, int requests, int? warmUpRequests, BenchPostgres? postgres)
    {
        var runIds = new List<string>();
        for (var w = 0; w < writers; w++)
        {
            var run = await Post(http, "runs/create", $$"""{"experiment_id": "0", "run_name": "writer-{{w}}", "start_time": 1}""");
            runIds.Add(run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!);
        }

        // Bodies are built (and encoded) up front so the clock measures the server, not string formatting.
        var bodies = runIds.Select(id => Enumerable.Range(0, requests).Select(r => Encoding.UTF8.GetBytes(BatchBody(id, r))).ToList()).ToList();
        // Warm-up outside the count, on runs of its own: concurrent rounds until tiered JIT has compiled the write
        // path, which otherwise is most of this process's CPU in a run this short.
        var warmUp = new List<string>();
        for (var w = 0; w < writers; w++)
        {
            var run = await Post(http, "runs/create", $$"""{"experiment_id": "0", "run_name": "warm-up-{{w}}", "start_time": 1}""");
            warmUp.Add(run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!);
        }

        var rounds = await WarmUpAsync(warmUpRequests, round => Task.WhenAll(warmUp.Select(id => Post(http, "runs/log-batch", BatchBody(id, round)))));
        var failures = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var serverCpu = postgres?.CpuTime();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(bodies.Select(async perWriter =>
        {
            foreach (var body in perWriter)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("/api/2.0/mlflow/runs/log-batch", content);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                    Console.WriteLine($"ingest: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
        var elapsed = stopwatch.Elapsed;
        var points = (long)writers * requests * PointsPerRequest;
        Console.WriteLine($"ingest: {points:N0} points in {elapsed.TotalSeconds:0.00} s = {points / elapsed.TotalSeconds:N0} points/s ({writers} writers x {requests} log-batch requests x {PointsPerRequest} metrics); {CpuSeconds(cpu):0.00} CPU-s in this process (server and client){PostgresCpu(postgres, serverCpu, CpuSeconds(cpu), points)}; {Jit(jit, rounds)}; load {LoadAverage()}");

        // No lost write: every key of every writer has exactly the points it sent.
        var lost = 0L;
        for (var w = 0; w < writers; w++)
        {
            for (var k = 0; k < KeysPerRequest; k++)
            {
                var history = await Get(http, $"metrics/get-history?run_id={runIds[w]}&metric_key=m{k}");
                var expected = requests * (PointsPerRequest / KeysPerRequest);
                lost += expected - history.GetProperty("metrics").GetArrayLength();
            }
        }

        Console.WriteLine($"ingest: {failures} failed requests, {lost} points missing");
    }

    // The same batches straight into the store: the gap to the HTTP figure is the server's (JSON, routing) share.
    private static async Task IngestStoreOnlyAsync(ITrackingStore store, int writers, int requests, int? warmUpRequests, BenchPostgres? postgres)
    {
        var runs = new List<string>();
        for (var w = 0; w < writers; w++)
        {
            runs.Add((await store.CreateRunAsync(new CreateRunRequest("0", $"store-writer-{w}", "bench", 1, []), CancellationToken.None)).RunId);
        }

        var perKey = PointsPerRequest / KeysPerRequest;
        var batches = Enumerable.Range(0, requests).Select(r => Enumerable.Range(0, PointsPerRequest).Select(i =>
        {
            var step = (r * perKey) + (i / KeysPerRequest);
            return new Metric($"m{i % KeysPerRequest}", step * 0.001, 1_700_000_000_000L + step, step);
        }).ToList()).ToList();
        // Warm-up outside the count, on runs of its own (see IngestAsync).
        var warmUp = new List<string>();
        for (var w = 0; w < writers; w++)
        {
            warmUp.Add((await store.CreateRunAsync(new CreateRunRequest("0", $"store-warm-up-{w}", "bench", 1, []), CancellationToken.None)).RunId);
        }

        var rounds = await WarmUpAsync(warmUpRequests, round => Task.WhenAll(warmUp.Select(run => Task.Run(() => store.LogBatchAsync(run, batches[round % batches.Count].Select(m => m with { Step = m.Step + (round / batches.Count * 1_000_000) }).ToList(), [], [], CancellationToken.None)))));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var serverCpu = postgres?.CpuTime();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(runs.Select(run => Task.Run(async () =>
        {
            foreach (var batch in batches)
            {
                await store.LogBatchAsync(run, batch, [], [], CancellationToken.None);
            }
        })));
        var elapsed = stopwatch.Elapsed;
        var points = (long)writers * requests * PointsPerRequest;
        Console.WriteLine($"ingest (store only, no HTTP/JSON): {points:N0} points in {elapsed.TotalSeconds:0.00} s = {points / elapsed.TotalSeconds:N0} points/s; {CpuSeconds(cpu):0.00} CPU-s in this process{PostgresCpu(postgres, serverCpu, CpuSeconds(cpu), points)}; {Jit(jit, rounds)}; load {LoadAverage()}");
    }

    // Warm-up rounds (each writer one request) until a round, and a pause for tiered JIT's background compiler,
    // compile no method any more: 5 fixed rounds left tier-1 recompiles inside the timed window, about 1.4 of the
    // process's 2.2 CPU-s (measured with DOTNET_TieredCompilation=0). A long-running server pays that once.
    private static async Task<int> WarmUpAsync(int? fixedRounds, Func<int, Task> round)
    {
        var rounds = 0;
        while (rounds < (fixedRounds ?? MaxWarmUpRounds))
        {
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            await round(rounds++);
            if (fixedRounds is null)
            {
                await Task.Delay(250);
                if (rounds >= MinWarmUpRounds && System.Runtime.JitInfo.GetCompiledMethodCount() == compiled)
                {
                    break;
                }
            }
        }

        return rounds;
    }

    private static string Jit(TimeSpan before, int warmUpRounds) =>
        $"JIT {(System.Runtime.JitInfo.GetCompilationTime() - before).TotalSeconds:0.00} s (wall clock) inside the count after {warmUpRounds} warm-up rounds";

    private static string BatchBody(string runId, int request)
    {
        var sb = new StringBuilder($$"""{"run_id": "{{runId}}", "metrics": [""");
        var perKey = PointsPerRequest / KeysPerRequest;
        for (var i = 0; i < PointsPerRequest; i++)
        {
            var step = (request * perKey) + (i / KeysPerRequest);
            sb.Append(i == 0 ? string.Empty : ",").Append(CultureInfo.InvariantCulture, $$"""{"key": "m{{i % KeysPerRequest}}", "value": {{step * 0.001}}, "timestamp": {{1_700_000_000_000L + step}}, "step": {{step}}}""");
        }

        return sb.Append("]}").ToString();
    }

    private static async Task HistoryAsync(HttpClient http, ITrackingStore store)
    {
        var run = await Post(http, "runs/create", """{"experiment_id": "0", "run_name": "long-history", "start_time": 1}""");
        var runId = run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        for (var r = 0; r < 100; r++)
        {
            var sb = new StringBuilder($$"""{"run_id": "{{runId}}", "metrics": [""");
            for (var i = 0; i < 1000; i++)
            {
                var step = (r * 1000) + i;
                sb.Append(i == 0 ? string.Empty : ",").Append(CultureInfo.InvariantCulture, $$"""{"key": "loss", "value": {{1.0 / (step + 1)}}, "timestamp": {{1_700_000_000_000L + step}}, "step": {{step}}}""");
            }

            await Post(http, "runs/log-batch", sb.Append("]}").ToString());
        }

        var url = $"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss";
        var (storeTimes, storeCpuMs) = await RepeatAsync(async () =>
        {
            await foreach (var point in store.ReadMetricHistoryAsync(runId, "loss", 0, null, CancellationToken.None))
            {
                GC.KeepAlive(point);
            }
        });
        var (serverTimes, serverCpuMs) = await RepeatAsync(() => HistoryTimings.TimeToLastByteAsync(http, url));
        var count = 0;
        var (parsedTimes, parsedCpuMs) = await RepeatAsync(async () => count = (await HistoryTimings.ParsedAsync(http, url)).Points);
        // CPU per request beside the latencies: on a loaded machine it is the steadier figure of the two.
        Console.WriteLine($"get-history (store only, streamed read, no HTTP/JSON): p50 {Percentile(storeTimes, 0.5):0.0} ms, p95 {Percentile(storeTimes, 0.95):0.0} ms; {storeCpuMs:0} ms CPU per call");
        Console.WriteLine($"get-history server side ({count:N0} points, to the last byte, body discarded): p50 {Percentile(serverTimes, 0.5):0.0} ms, p95 {Percentile(serverTimes, 0.95):0.0} ms; {serverCpuMs:0} ms CPU per request (server and client)");
        Console.WriteLine($"get-history with the client's parse (JsonDocument): p50 {Percentile(parsedTimes, 0.5):0.0} ms, p95 {Percentile(parsedTimes, 0.95):0.0} ms; {parsedCpuMs:0} ms CPU per request (server and client); load average {LoadAverage()}");
    }

    // 2 warm-ups, then 10 timed calls: sorted wall times and the process's CPU ms per call.
    private static async Task<(List<double> Times, double CpuMs)> RepeatAsync(Func<Task> call)
    {
        var times = new List<double>();
        var cpu = TimeSpan.Zero;
        for (var i = 0; i < 12; i++)
        {
            cpu = i == 2 ? Process.GetCurrentProcess().TotalProcessorTime : cpu;
            var stopwatch = Stopwatch.StartNew();
            await call();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        return ([.. times.Skip(2).Order()], CpuSeconds(cpu) * 1000 / 10);
    }

    // Runs are seeded through the store, not HTTP: the measurement is the search, not the set-up. Several seeders
    // at once let PostgreSQL share one WAL flush among their commits; each run's values depend on its index only.
    private static async Task<int> SeedAsync(ITrackingStore store, string experimentId, int from, int to)
    {
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            var random = new Random(i);
            var info = await store.CreateRunAsync(new CreateRunRequest(experimentId, $"run-{i}", "bench", 1_700_000_000_000L + i, [new Tag("team", i % 2 == 0 ? "nlp" : "vision")]), cancellationToken);
            await store.LogBatchAsync(info.RunId,
                [new Metric("acc", random.NextDouble(), 1, 0), new Metric("loss", random.NextDouble(), 1, 0)],
                [new Param("model", i % 3 == 0 ? "lr" : "svm")], [], cancellationToken);
        });

        Console.WriteLine($"seed: {to - from:N0} runs in {stopwatch.Elapsed.TotalSeconds:0.0} s (store now holds {to:N0} search runs)");
        return to;
    }

    private static async Task SearchAsync(HttpClient http, string experimentId, int runs, BenchPostgres? postgres)
    {
        var body = $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "metrics.acc > 0.5", "order_by": ["metrics.acc DESC"], "max_results": 100}""";
        var times = new List<double>();
        var returned = 0;
        var cpu = TimeSpan.Zero;
        TimeSpan? serverCpu = null;
        for (var i = 0; i < 110; i++)
        {
            if (i == 10)
            {
                // CPU time counts only this process and the cluster, so it is the steadier figure on a loaded machine.
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                serverCpu = postgres?.CpuTime();
            }

            var stopwatch = Stopwatch.StartNew();
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/api/2.0/mlflow/runs/search", content);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
            if (i == 0)
            {
                returned = JsonDocument.Parse(bytes).RootElement.GetProperty("runs").GetArrayLength();
            }
        }

        var cpuMs = CpuSeconds(cpu) * 1000 / 100;
        var postgresMs = postgres is null ? string.Empty : $", {(postgres.CpuTime() - serverCpu!.Value).TotalMilliseconds / 100:0.0} ms in PostgreSQL";
        times = times.Skip(10).Order().ToList();
        Console.WriteLine($"search-runs over {runs:N0} runs (metrics.acc > 0.5 ORDER BY metrics.acc DESC, top 100 -> {returned}): p50 {Percentile(times, 0.5):0.0} ms, p95 {Percentile(times, 0.95):0.0} ms (100 requests after 10 warm-ups); CPU per request {cpuMs:0.0} ms in this process (server and client){postgresMs}; load {LoadAverage()}");
    }

    private static async Task<JsonElement> Post(HttpClient http, string rpc, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/2.0/mlflow/" + rpc, content);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : throw new InvalidOperationException($"{rpc}: {response.StatusCode} {text}");
    }

    private static async Task<JsonElement> Get(HttpClient http, string pathAndQuery)
    {
        var text = await http.GetStringAsync("/api/2.0/mlflow/" + pathAndQuery);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    // PostgreSQL's own CPU for the same points, and the points per CPU-second of both sides together: on a loaded
    // machine the wall-clock rate says little, while CPU per point is what 2 quiet cores divide (fsync waits aside).
    private static string PostgresCpu(BenchPostgres? postgres, TimeSpan? before, double processSeconds, long points)
    {
        if (postgres is null || before is null)
        {
            return string.Empty;
        }

        var server = (postgres.CpuTime() - before.Value).TotalSeconds;
        return $", {server:0.00} CPU-s in PostgreSQL = {points / (processSeconds + server):N0} points per CPU-s";
    }

    // On a shared machine wall time also counts other processes; the CPU this process burnt does not.
    private static double CpuSeconds(TimeSpan since) => (Process.GetCurrentProcess().TotalProcessorTime - since).TotalSeconds;

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
