using System.Diagnostics;
using System.Globalization;
using Fathom.Jobs;
using Fathom.Tracking;

namespace Fathom.Bench;

/// <summary>
/// <c>jobs [--rounds 20] [--fathom PATH]</c>: submit-to-process-start of the local executor — from the moment a run is
/// submitted to the moment the job's own process runs its first instruction (the job prints the clock with
/// <c>date +%s%N</c>; both clocks are this machine's). In process: the runner compiles the component, records the run
/// (created → queued → scheduled → starting → running, each a SQLite transaction) and starts the process. As a user
/// sees it: <c>fathom run -f job.yml</c> as a process, start-up included. Median and p95 over the rounds. Target: under
/// 200 ms in process.
/// </summary>
internal static class JobsBenchmark
{
    private const string Job = """
        version: 1.1
        kind: component
        name: clock
        inputs:
          - {name: WHAT, type: str, value: start}
        run:
          kind: job
          container:
            image: busybox
            command: [date, "+%s%N"]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = int.Parse(BenchSupport.Option(args, "--rounds") ?? "20", CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "fathom-bench-jobs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "clock.yml");
            await File.WriteAllTextAsync(file, Job);
            Console.WriteLine($"jobs: {rounds} rounds, load average {BenchSupport.LoadAverage()}");
            await InProcessAsync(folder, file, rounds);
            await CliAsync(folder, args, rounds);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task InProcessAsync(string folder, string file, int rounds)
    {
        var location = StoreLocation.Parse(Path.Combine(folder, ".fathom"), folder);
        await using var store = new JobStores().Open(location, TimeProvider.System);
        var runner = new JobRunner(store, new LocalProcessExecutor(), TimeProvider.System);
        var samples = new List<double>();
        var startToExit = new List<double>();
        for (var i = 0; i <= rounds; i++)
        {
            var submitted = NowNs();
            var stopwatch = Stopwatch.StartNew();
            var request = new JobRequest(PolyaxonReader.ReadFile(file), new Dictionary<string, string>(), "bench", AgentConfig.Default(location.LocalFolder), location, folder, "bench");
            var plan = runner.Plan(request, JobRunner.NewUuid());
            string? first = null;
            var outcome = await runner.RunAsync(request, plan, line => first ??= line, null, CancellationToken.None);
            var total = stopwatch.Elapsed.TotalMilliseconds;
            if (outcome.Status != JobStatus.Succeeded || first is null)
            {
                throw new InvalidOperationException($"the clock job ended {outcome.Status.Name()}: {outcome.Message}");
            }

            var started = (long.Parse(first, CultureInfo.InvariantCulture) - submitted) / 1e6;
            if (i > 0)
            {
                // Round 0 is the cold one (JIT, first connection); it is printed on its own.
                samples.Add(started);
                startToExit.Add(total);
            }
            else
            {
                Console.WriteLine($"  in process, cold: submit -> process start {started:F1} ms, whole run {total:F1} ms");
            }
        }

        Console.WriteLine($"  in process, warm: submit -> process start median {Percentile(samples, 0.5):F1} ms, p95 {Percentile(samples, 0.95):F1} ms; whole run (to recorded succeeded) median {Percentile(startToExit, 0.5):F1} ms");
    }

    private static async Task CliAsync(string folder, string[] args, int rounds)
    {
        var cli = BenchSupport.Option(args, "--fathom") ?? BenchSupport.DefaultCli();
        if (!File.Exists(cli))
        {
            Console.WriteLine($"  fathom run: {cli} not found (dotnet build -c Release src/Fathom.Cli, or --fathom PATH); skipped");
            return;
        }

        var isDll = cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var samples = new List<double>();
        for (var i = 0; i < Math.Max(3, rounds / 2); i++)
        {
            var start = new ProcessStartInfo(isDll ? "dotnet" : cli) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            if (isDll)
            {
                start.ArgumentList.Add(cli);
            }

            foreach (var arg in new[] { "run", "-f", "clock.yml", "-p", "bench" })
            {
                start.ArgumentList.Add(arg);
            }

            var submitted = NowNs();
            using var process = Process.Start(start)!;
            var stdout = await process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"fathom run exited {process.ExitCode}: {stderr}");
            }

            samples.Add((long.Parse(stdout.Trim().Split('\n')[0], CultureInfo.InvariantCulture) - submitted) / 1e6);
        }

        // The floor: the same CLI doing nothing but start and print its help.
        var floor = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            floor.Add((await BenchSupport.TimeAsync(folder, isDll ? "dotnet" : cli, isDll ? [cli, "--help"] : ["--help"])).TotalMilliseconds);
        }

        Console.WriteLine($"  fathom run as a process ({cli}): launch -> job process start median {Percentile(samples, 0.5):F1} ms, p95 {Percentile(samples, 0.95):F1} ms (CLI start-up included; fathom --help alone takes {Percentile(floor, 0.5):F1} ms)");
    }

    private static long NowNs() => (TimeProvider.System.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
