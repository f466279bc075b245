using System.Diagnostics;
using System.Globalization;
using Fathom.Config;

namespace Fathom.Bench;

/// <summary>
/// <c>config [--conf DIR] [--rounds 200]</c>: composing a conf dir (default: the sample's <c>samples/imdb/conf/base</c>,
/// the template's layout) with 20 overrides, and resolving it — cold (the first composition in the process: JIT, file
/// reads, YAML parsing) and warm (median and p95 of later rounds, each with a fresh repository, so files are read and
/// parsed every time). Target: under 20 ms.
/// </summary>
internal static class ConfigBenchmark
{
    private static readonly string[] Overrides =
    [
        "train.val_split=0.3", "train.seed=7", "train.optimiser=sdca", "train.ngram_length=1", "train.l2=0.05",
        "train.text_is_clean=false", "data_prep.processed_data_path=/data/out", "data_prep.raw_dirs_paths=[a,b]",
        "data_prep.raw_dirs_paths+=[c]", "data_prep.raw_dirs_paths-=a", "+train.l1=0.01", "++train.tolerance=1e-4",
        "+train.max_iterations=50", "train.l2=0.2", "+extra={a:1,b:[x,'y z'],c:{d:null}}", "~extra.c",
        "+tags=[\"a,b\",c]", "tags[1]=d", "+note='it\\'s ${train.seed}'", "hydra/launcher=basic",
    ];

    public static Task<int> RunAsync(string[] args)
    {
        var conf = Option(args, "--conf") ?? FindSampleConf();
        var rounds = int.Parse(Option(args, "--rounds") ?? "200", CultureInfo.InvariantCulture);
        Console.WriteLine($"config: {conf}, {Overrides.Length} overrides, load average {BenchSupport.LoadAverage()}");

        // The first use of each part, in the order a composition meets them: where a cold start's time goes.
        var parts = new List<string>();
        var part = Stopwatch.StartNew();
        var cold = Stopwatch.StartNew();
        _ = ConfigYaml.Load("a: 1\nb: [x, 2.5]\n", "warm-up.yml");
        parts.Add($"yaml {part.Elapsed.TotalMilliseconds:0.0}");
        part.Restart();
        _ = OverrideParser.ParseAll(Overrides);
        parts.Add($"overrides {part.Elapsed.TotalMilliseconds:0.0}");
        part.Restart();
        _ = HydraDefaults.For(HydraDefaults.Choices);
        parts.Add($"hydra defaults {part.Elapsed.TotalMilliseconds:0.0}");
        part.Restart();
        var composed = Compose(conf);
        parts.Add($"compose and resolve {part.Elapsed.TotalMilliseconds:0.0}");
        cold.Stop();
        Console.WriteLine($"cold (first in process): {cold.Elapsed.TotalMilliseconds:0.00} ms, {composed.Job.Entries.Length} top-level keys ({string.Join(", ", parts)} ms; ReadyToRun: {BenchSupport.IsReadyToRun(typeof(ConfigComposer).Assembly.Location)})");

        var times = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            Compose(conf);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"warm (fresh repository each round, files read and parsed): median {times[times.Count / 2]:0.000} ms, p95 {times[(int)(times.Count * 0.95)]:0.000} ms over {rounds} rounds");
        Console.WriteLine($"target < 20 ms: {(cold.Elapsed.TotalMilliseconds < 20 && times[times.Count / 2] < 20 ? "met" : "MISSED")}");
        return Task.FromResult(0);
    }

    private static ComposedConfig Compose(string conf)
    {
        var repository = new ConfigRepository(conf);
        var composed = ConfigComposer.Compose(repository, "pipelines", Overrides);
        _ = composed.ResolveJob();
        return composed;
    }

    private static string FindSampleConf()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "imdb", "conf", "base");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/imdb/conf/base not found above the bench; give --conf DIR.");
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
