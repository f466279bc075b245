using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fathom.Config;
using Fathom.Tracking;
using Fathom.Tuning;

namespace Fathom.Bench;

/// <summary>
/// <c>tune-distributed [--workers 8] [--trials 1000] [--sampler random|tpe] [--only sqlite,postgres] [--store URI]</c>:
/// N worker processes (this program, <c>tune-distributed-worker</c>) share one study in a SQLite store and in a throw-away
/// PostgreSQL cluster (fsync on), each running <see cref="TuneWorker"/> with trivial trials (a function, no process), so
/// what is measured is coordination: claiming and numbering trials, reading the study, sampling, recording and telling.
/// Checked afterwards: every number from 0 to trials−1 exactly once, every trial COMPLETE with the value its params give
/// (nothing lost, duplicated or mixed up), nothing left RUNNING or WAITING, the workers' counts adding up. Reported: the
/// study's wall time from the first claim to the last tell, each worker's time inside store calls, and their sum; and the
/// CPU time the workers (and the PostgreSQL cluster) spent, which other load on a shared machine does not inflate.
/// </summary>
internal static class TuneDistributedBenchmark
{
    private static readonly FloatDistribution X = new(-5, 5);
    private static readonly CategoricalDistribution Kind = new(["a", "b", "c"]);

    public static async Task<int> RunAsync(string[] args)
    {
        var workers = int.Parse(Option(args, "--workers") ?? "8", CultureInfo.InvariantCulture);
        var trials = int.Parse(Option(args, "--trials") ?? "1000", CultureInfo.InvariantCulture);
        var sampler = Option(args, "--sampler") ?? "random";
        var only = (Option(args, "--only") ?? "sqlite,postgres").Split(',', StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine($"tune-distributed: {workers} worker processes, {trials} trivial trials, {sampler} sampler, load average {BenchSupport.LoadAverage()}, {Environment.ProcessorCount} cores");
        var failures = 0;
        if (Option(args, "--store") is { } store)
        {
            failures += await MeasureAsync(store, store, workers, trials, sampler, null) ? 0 : 1;
            return failures;
        }

        if (only.Contains("sqlite"))
        {
            var folder = Path.Combine(Path.GetTempPath(), "fathom-bench-tune", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                failures += await MeasureAsync("SQLite (WAL, synchronous=NORMAL)", folder, workers, trials, sampler, null) ? 0 : 1;
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }

        if (only.Contains("postgres"))
        {
            await using var postgres = await BenchPostgres.StartAsync();
            failures += await MeasureAsync("PostgreSQL (fsync on)", postgres.Uri, workers, trials, sampler, postgres.CpuTime) ? 0 : 1;
        }

        return failures;
    }

    private static async Task<bool> MeasureAsync(string name, string store, int workers, int trials, string sampler, Func<TimeSpan>? serverCpu)
    {
        var location = StoreLocation.Parse(store, Directory.GetCurrentDirectory());
        var studies = new StudyStores().AddPostgres();
        var studyName = "bench-" + Guid.NewGuid().ToString("N")[..8];
        await using (var created = await studies.OpenAsync(location))
        {
            await created.CreateOrLoadStudyAsync(studyName, [StudyDirection.Minimize], $"{{\"name\":\"{sampler}\"}}", new Dictionary<string, string>(), default);
        }

        var self = Environment.ProcessPath!;
        var entry = Environment.GetCommandLineArgs()[0];
        string[] program = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, entry] : [self];
        var serverBefore = serverCpu?.Invoke();
        var clock = Stopwatch.StartNew();
        var processes = new List<(Process Process, Task<string> Stdout, Task<string> Stderr)>();
        for (var w = 0; w < workers; w++)
        {
            var start = new ProcessStartInfo(program[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in program.Skip(1).Concat(["tune-distributed-worker", location.Uri, studyName, trials.ToString(CultureInfo.InvariantCulture), sampler]))
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            processes.Add((process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()));
        }

        var reports = new List<WorkerReport>();
        var ok = true;
        foreach (var (process, stdout, stderr) in processes)
        {
            await process.WaitForExitAsync();
            var output = await stdout;
            if (process.ExitCode != 0)
            {
                ok = false;
                Console.WriteLine($"  a worker exited {process.ExitCode}: {await stderr}{output}");
                continue;
            }

            reports.Add(JsonSerializer.Deserialize<WorkerReport>(output.Trim().Split('\n')[^1])!);
            process.Dispose();
        }

        var processesWall = clock.Elapsed;
        var server = serverCpu is null ? (TimeSpan?)null : serverCpu() - serverBefore!.Value;
        await using var store2 = await studies.OpenAsync(location);
        var info = (await store2.GetStudyAsync(studyName, default))!;
        var stored = await store2.ReadTrialsAsync(info.StudyId, 0, withUserAttrs: false, default);
        var numbers = stored.Select(t => t.Number).ToList();
        var problems = new List<string>();
        if (!numbers.SequenceEqual(Enumerable.Range(0, trials)))
        {
            problems.Add($"trial numbers are not 0..{trials - 1} once each ({numbers.Count} trials, {numbers.Distinct().Count()} distinct)");
        }

        var wrong = stored.Count(t => t.State != TrialState.Complete || t.Trial.Values is not [var v] || v != Objective(t.Trial.Params["x"], t.Trial.Params["kind"]));
        if (wrong > 0)
        {
            problems.Add($"{wrong} trials not COMPLETE with the value of their own params");
        }

        if (reports.Sum(r => r.Trials) != trials)
        {
            problems.Add($"the workers ran {reports.Sum(r => r.Trials)} trials, not {trials}");
        }

        var first = stored.Min(t => t.StartedAt ?? long.MaxValue);
        var last = stored.Max(t => t.FinishedAt ?? 0);
        var studyWall = TimeSpan.FromMilliseconds(last - first);
        var storeSum = TimeSpan.FromMilliseconds(reports.Sum(r => r.StoreMs));
        var loopSum = TimeSpan.FromMilliseconds(reports.Sum(r => r.LoopMs - r.ObjectiveMs));
        Console.WriteLine($"{name}: {trials} trials by {reports.Count} workers");
        Console.WriteLine($"  study wall time (first claim to last tell): {studyWall.TotalSeconds:0.00} s ({trials / studyWall.TotalSeconds:0} trials/s); processes started to last exit: {processesWall.TotalSeconds:0.00} s");
        Console.WriteLine($"  coordination summed over workers: {loopSum.TotalSeconds:0.00} s in the worker loops (claim, read, sample, record, tell), of which {storeSum.TotalSeconds:0.00} s inside store calls");
        var cpu = TimeSpan.FromMilliseconds(reports.Sum(r => r.CpuMs));
        Console.WriteLine($"  CPU time of coordination (load-independent): workers {cpu.TotalSeconds:0.00} s{(server is { } s ? $" + database server {s.TotalSeconds:0.00} s" : "")} = {(cpu + (server ?? TimeSpan.Zero)).TotalMilliseconds / trials:0.00} ms per trial");
        Console.WriteLine($"  per worker: trials {string.Join(", ", reports.Select(r => r.Trials))}; store ms {string.Join(", ", reports.Select(r => r.StoreMs))}");
        Console.WriteLine($"  check: {(problems.Count == 0 ? "every trial once, complete, with its own value; nothing lost or duplicated" : "FAILED: " + string.Join("; ", problems))}");
        Console.WriteLine($"  target < 10 s of coordination: study wall time {(studyWall.TotalSeconds < 10 ? "met" : "MISSED")} (load average {BenchSupport.LoadAverage()}); CPU time {((cpu + (server ?? TimeSpan.Zero)).TotalSeconds < 10 ? "met" : "MISSED")}");
        return ok && problems.Count == 0;
    }

    /// <summary><c>tune-distributed-worker URI STUDY TRIALS SAMPLER</c>: one worker; prints its report as JSON.</summary>
    public static async Task<int> WorkerAsync(string[] args)
    {
        var location = StoreLocation.Parse(args[0], Directory.GetCurrentDirectory());
        var trials = int.Parse(args[2], CultureInfo.InvariantCulture);
        await using var store = await new StudyStores().AddPostgres().OpenAsync(location);
        var info = (await store.GetStudyAsync(args[1], default))!;
        ISampler sampler = args[3] == "tpe" ? new TpeSampler(new TpeOptions(Seed: 1)) : new RandomSampler(new RandomOptions(1));
        using var study = new StoredStudy(store, info, sampler);
        var objective = TimeSpan.Zero;
        var runner = new FunctionRunner(context =>
        {
            var started = Stopwatch.GetTimestamp();
            var x = (double)context.Params[0].Value!;
            var kind = (string)context.Params[1].Value!;
            var result = TrialResult.Complete([Objective(x, Kind.ToInternal(kind))]);
            objective += Stopwatch.GetElapsedTime(started);
            return result;
        });
        var options = new TuneWorkerOptions(
            [KeyValuePair.Create("x", (ParamDistribution)X), KeyValuePair.Create("kind", (ParamDistribution)Kind)],
            Array.Empty<KeyValuePair<string, ConfigNode>>(), [], NJobs: 1, MaxTrials: trials, Heartbeat: TimeSpan.FromSeconds(10), StaleAfter: TimeSpan.FromSeconds(60));
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = await new TuneWorker(study, runner, options).RunAsync(default);
        var loop = clock.Elapsed;
        self.Refresh();
        var used = self.TotalProcessorTime - cpu;
        Console.WriteLine(JsonSerializer.Serialize(new WorkerReport(
            result.Complete, (long)loop.TotalMilliseconds, (long)study.StoreTime.TotalMilliseconds, (long)objective.TotalMilliseconds, (long)used.TotalMilliseconds)));
        return 0;
    }

    private static double Objective(double x, double kindIndex) => ((x - 1) * (x - 1)) + kindIndex;

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed record WorkerReport(int Trials, long LoopMs, long StoreMs, long ObjectiveMs, long CpuMs);

    private sealed class FunctionRunner(Func<TrialContext, TrialResult> run) : ITrialRunner
    {
        public Task<TrialResult> RunAsync(TrialContext context, CancellationToken cancellationToken) => Task.FromResult(run(context));
    }
}
