using System.Diagnostics;
using System.Globalization;
using Fathom.Tuning;

namespace Fathom.Bench;

internal static partial class TuningBenchmark
{
    private static void Cost(int[] sizes, OptunaResults? optuna)
    {
        Console.WriteLine();
        Console.WriteLine("cost: ms per suggestion (an ask and 6 float params) with n complete trials in the study; wall time (median) and");
        Console.WriteLine("the thread's CPU time (mean, the collections it causes included: on a loaded machine the steadier figure);");
        Console.WriteLine($"growth = t({sizes[^1]:N0}) / t({sizes[0]:N0}), against n·ln n's {NLogN(sizes[^1]) / NLogN(sizes[0]):F1} and n's {(double)sizes[^1] / sizes[0]:F1}; Fathom after a 1 s JIT warm-up");
        Console.WriteLine($"  {"sampler",-36} " + string.Join(' ', sizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture).PadLeft(12))) + $" {"growth",12}");
        var space = Enumerable.Range(0, 6).Select(i => ($"x{i}", new FloatDistribution(0, 1))).ToArray();
        double[]? fathom = null;
        foreach (var (mode, options) in Modes)
        {
            var wall = new List<double>();
            var cpu = new List<double>();
            foreach (var n in sizes)
            {
                var (w, c) = CostAt(n, space, options(0));
                wall.Add(w);
                cpu.Add(c);
            }
            fathom ??= [.. cpu];
            Row(mode + ", wall", [.. wall, wall[^1] / wall[0]], "F3");
            Row("  CPU", [.. cpu, cpu[^1] / cpu[0]], "F3");
        }
        if (optuna?.Cost(sizes) is { } theirs)
        {
            Row($"optuna {optuna.Version} TPE (defaults), wall", [.. theirs.Wall, theirs.Wall[^1] / theirs.Wall[0]], "F3");
            Row("  CPU", [.. theirs.Cpu, theirs.Cpu[^1] / theirs.Cpu[0]], "F3");
        }
        var at1000 = Array.IndexOf(sizes, 1000);
        Verdict("fathom CPU < 1 ms at 1,000", [at1000 >= 0 && fathom![at1000] < CostTargetMs]);
        Verdict("growth ≤ n·ln n's", [fathom![^1] / fathom[0] <= NLogN(sizes[^1]) / NLogN(sizes[0])]);
    }

    private static double NLogN(int n) => n * Math.Log(n);

    /// <summary>Median wall and mean thread CPU ms of one trial's six suggestions with <paramref name="n"/> complete trials.</summary>
    private static (double Wall, double Cpu) CostAt(int n, (string Name, FloatDistribution Distribution)[] space, TpeOptions options)
    {
        var rng = new Random(0);
        var trials = new List<FrozenTrial>(n + 1);
        for (var i = 0; i < n; i++)
        {
            var parameters = space.ToDictionary(p => p.Name, p => ((ParamDistribution)p.Distribution, rng.NextDouble()), StringComparer.Ordinal);
            var value = -parameters.Values.Sum(p => (p.Item2 - 0.3) * (p.Item2 - 0.3));
            trials.Add(FrozenTrial.Create(i, TrialState.Complete, parameters, [value]));
        }
        var sampler = new TpeSampler(options);
        // Untimed asks first, for at least a second: tiered JIT has then promoted the hot methods, which is the state a
        // tuner is in after its first trials.
        var warmUp = Stopwatch.StartNew();
        var asked = 0;
        while (warmUp.Elapsed.TotalSeconds < 1 || asked < 5)
        {
            Suggest(sampler, trials, n + asked++, space);
        }
        var repeats = n <= 1000 ? 200 : 30;
        var wall = new List<double>(repeats);
        var cpuStarted = TuningCpuClock.NowMs();
        for (var r = 0; r < repeats; r++)
        {
            var started = Stopwatch.GetTimestamp();
            Suggest(sampler, trials, n + asked++, space);
            wall.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return (Median(wall), (TuningCpuClock.NowMs() - cpuStarted) / repeats);
    }

    // One ask as the driver makes it: a fresh view of the study (a list copy, as Optuna's ask copies its trials), then
    // the six suggestions.
    private static void Suggest(TpeSampler sampler, List<FrozenTrial> trials, int number, (string Name, FloatDistribution Distribution)[] space)
    {
        var running = FrozenTrial.Running(number);
        var sampling = TrialSampling.Begin(sampler, new StudyView("cost", [StudyDirection.Minimize], [.. trials, running]), running);
        foreach (var (name, distribution) in space)
        {
            sampling.Suggest(name, distribution);
        }
    }
}
