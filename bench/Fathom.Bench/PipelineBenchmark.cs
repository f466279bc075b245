using System.Diagnostics;
using System.Globalization;
using Fathom.Pipelines;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The pipeline target: <c>repro</c> of a 10-stage pipeline with nothing changed, &lt; 0.2 s. Measured as the real CLI
/// process (wall time, start-up included) and in-process (parse dvc.yaml, build the DAG, read dvc.lock, hash every dep
/// and out through the stat cache); also <c>status</c> and <c>repro -R .</c>, which read every dvc.yaml of the repository. Each stage has a 1 MiB dep, a params key and a 1 MiB out; stage i reads stage i-1's out.
/// Runs the published ReadyToRun executable by default, as users run it: <c>dotnet publish src/Fathom.Cli -c Release -r
/// linux-x64 --self-contained false -o artifacts/fathom-r2r &amp;&amp; dotnet run -c Release --project bench/Fathom.Bench --
/// pipeline [--stages 10] [--runs 7] [--fathom other/fathom]</c>.
/// </summary>
internal static class PipelineBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var stages = int.Parse(Option(args, "--stages") ?? "10", CultureInfo.InvariantCulture);
        var runs = int.Parse(Option(args, "--runs") ?? "7", CultureInfo.InvariantCulture);
        if (PublishedCli(args) is not { } fathom)
        {
            return 2;
        }

        var repo = Path.Combine(Path.GetTempPath(), "fathom-bench-pipeline", Guid.NewGuid().ToString("N"));
        if (Directory.Exists(repo))
        {
            Directory.Delete(repo, recursive: true);
        }

        Directory.CreateDirectory(repo);
        try
        {
            Generate(repo, stages);
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}; CLI {fathom.Description}; {stages} stages, each with a 1 MiB dep, a param and a 1 MiB out");
            await fathom.TimeAsync(repo, "data", "init");
            var first = await fathom.TimeAsync(repo, "repro", "--no-track");
            Console.WriteLine($"first repro (runs all {stages} stages): {first.TotalSeconds:0.000} s");
            var startup = Median(await RepeatAsync(runs, () => fathom.TimeAsync(repo, "--help")));
            Console.WriteLine($"fathom --help (process start-up): median {startup.TotalSeconds:0.000} s");
            var cli = await RepeatAsync(runs, () => fathom.TimeAsync(repo, "repro"));
            Console.WriteLine($"repro, nothing changed, CLI process: median {Median(cli).TotalSeconds:0.000} s, best {cli.Min().TotalSeconds:0.000} s of {runs}  (target < 0.2 s)");
            // The commands that read every dvc.yaml of the repository (the pipeline set) instead of the current folder's only.
            var status = await RepeatAsync(runs, () => fathom.TimeAsync(repo, "status"));
            Console.WriteLine($"status, nothing changed, CLI process: median {Median(status).TotalSeconds:0.000} s, best {status.Min().TotalSeconds:0.000} s of {runs}");
            var recursive = await RepeatAsync(runs, () => fathom.TimeAsync(repo, "repro", "-R", "."));
            Console.WriteLine($"repro -R . (every dvc.yaml), nothing changed, CLI process: median {Median(recursive).TotalSeconds:0.000} s, best {recursive.Min().TotalSeconds:0.000} s of {runs}");
            var inProcess = await RepeatAsync(runs, () => InProcessAsync(repo));
            Console.WriteLine($"repro, nothing changed, in-process: median {Median(inProcess).TotalMilliseconds:0.0} ms, best {inProcess.Min().TotalMilliseconds:0.0} ms of {runs}");
            return 0;
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }
    }

    private static async Task<TimeSpan> InProcessAsync(string repo)
    {
        var stopwatch = Stopwatch.StartNew();
        var project = PipelineProject.Open(repo);
        var runner = new PipelineRunner(project.Repository, project.Pipeline, project.Graph, new ReproOptions(), null, _ => { }, TimeProvider.System);
        var results = await runner.ReproAsync([], default);
        var elapsed = stopwatch.Elapsed;
        if (results.Any(r => r.Outcome != ReproEventKind.UpToDate))
        {
            throw new InvalidOperationException("A stage ran although nothing changed.");
        }

        return elapsed;
    }

    private static void Generate(string repo, int stages)
    {
        var random = new Random(42);
        var buffer = new byte[1 << 20];
        var yaml = new System.Text.StringBuilder("stages:\n");
        var parameters = new System.Text.StringBuilder();
        for (var i = 0; i < stages; i++)
        {
            random.NextBytes(buffer);
            File.WriteAllBytes(Path.Combine(repo, $"input{i}.bin"), buffer);
            parameters.Append(CultureInfo.InvariantCulture, $"stage{i}:\n  seed: {i}\n");
            var upstream = i == 0 ? "" : $" out{i - 1}.bin";
            yaml.Append(CultureInfo.InvariantCulture, $"  stage{i}:\n    cmd: cat input{i}.bin{upstream} | head -c 1048576 > out{i}.bin\n    deps:\n    - input{i}.bin\n");
            if (i > 0)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"    - out{i - 1}.bin\n");
            }

            yaml.Append(CultureInfo.InvariantCulture, $"    params:\n    - stage{i}.seed\n    outs:\n    - out{i}.bin\n");
        }

        File.WriteAllText(Path.Combine(repo, "dvc.yaml"), yaml.ToString());
        File.WriteAllText(Path.Combine(repo, "params.yaml"), parameters.ToString());
    }

    private static async Task<List<TimeSpan>> RepeatAsync(int count, Func<Task<TimeSpan>> measure)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            times.Add(await measure());
        }

        return times;
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
}
