using System.Globalization;
using System.Text.Json;
using Fathom.Tuning;

namespace Fathom.Bench;

/// <summary>
/// <c>tuning [--seeds 10] [--only quality,mo,cost] [--sizes 100,300,1000,3000] [--python PATH] [--optuna-json FILE]
/// [--save-optuna FILE]</c>: Fathom's TPE beside Optuna's (Debian's python3-optuna, 3.1, run through
/// <c>tuning_optuna.py</c>) in one run. Quality: the median best value after 50, 100 and 200 trials over the seeds on
/// Branin, Hartmann-6, Rosenbrock-4 and a mixed categorical/int/float function; ZDT1 (4-D, 200 trials): the median
/// hypervolume against (1.1, 1.1). Cost: ms per suggestion (an ask and 6 float params) with n complete trials in the
/// study. Each part ends with its target and whether Fathom's default sampler meets it.
/// </summary>
internal static partial class TuningBenchmark
{
    private static readonly int[] Budgets = [50, 100, 200];
    private static readonly double[] Reference = [1.1, 1.1];
    private const double HypervolumeTarget = 0.55;
    private const double CostTargetMs = 1.0;

    private static readonly (string Name, Func<long, TpeOptions> Options)[] Modes =
    [
        ("fathom default (multivariate)", seed => TpeOptions.FathomDefaults(seed)),
        ("optuna-faithful (univariate)", seed => new TpeOptions(seed)),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var seeds = int.Parse(BenchSupport.Option(args, "--seeds") ?? "10", CultureInfo.InvariantCulture);
        var only = (BenchSupport.Option(args, "--only") ?? "quality,mo,cost").Split(',').ToHashSet(StringComparer.Ordinal);
        var sizes = (BenchSupport.Option(args, "--sizes") ?? "100,300,1000,3000").Split(',')
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Console.WriteLine($"tuning: {seeds} seeds; machine: {Environment.ProcessorCount} cores, load average {BenchSupport.LoadAverage()}");

        // --optuna-json reads what an earlier run saved with --save-optuna (to iterate on Fathom's side alone).
        var saved = BenchSupport.Option(args, "--optuna-json");
        var optuna = saved is not null
            ? new OptunaResults(JsonDocument.Parse(await File.ReadAllTextAsync(saved)))
            : await RunOptunaAsync(BenchSupport.Option(args, "--python"), seeds, only, sizes, BenchSupport.Option(args, "--save-optuna"));
        if (only.Contains("quality"))
        {
            Quality(seeds, optuna);
        }
        if (only.Contains("mo"))
        {
            MultiObjective(seeds, optuna);
        }
        if (only.Contains("cost"))
        {
            Cost(sizes, optuna);
        }
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {BenchSupport.LoadAverage()}");
        return 0;
    }

    private static void Quality(int seeds, OptunaResults? optuna)
    {
        foreach (var (name, minimum, objective) in TuningFunctions.Single)
        {
            Console.WriteLine();
            Console.WriteLine($"{name} (minimum {minimum.ToString(CultureInfo.InvariantCulture)}): median best value over {seeds} seeds after n trials");
            Console.WriteLine($"  {"sampler",-36} {"50",12} {"100",12} {"200",12}");
            double[]? fathom = null;
            foreach (var (mode, options) in Modes)
            {
                var bests = Budgets.Select(_ => new List<double>()).ToArray();
                for (var seed = 0; seed < seeds; seed++)
                {
                    var study = new InMemoryStudy(name, [StudyDirection.Minimize], new TpeSampler(options(seed)));
                    var best = double.PositiveInfinity;
                    for (var i = 1; i <= Budgets[^1]; i++)
                    {
                        var trial = study.Ask();
                        var value = objective(trial);
                        study.Tell(trial, TrialState.Complete, [value]);
                        best = Math.Min(best, value);
                        var at = Array.IndexOf(Budgets, i);
                        if (at >= 0)
                        {
                            bests[at].Add(best);
                        }
                    }
                }
                var medians = bests.Select(Median).ToArray();
                fathom ??= medians;
                Row(mode, medians);
            }
            if (optuna?.Quality(name) is { } theirs)
            {
                Row($"optuna {optuna.Version} TPE (defaults)", theirs);
                Verdict("fathom default ≤ optuna", fathom!.Zip(theirs, (f, o) => f <= o));
            }
        }
    }

    private static void MultiObjective(int seeds, OptunaResults? optuna)
    {
        Console.WriteLine();
        Console.WriteLine($"zdt1 (4-D, 200 trials): hypervolume against ({Reference[0]}, {Reference[1]}) over {seeds} seeds (the whole front: 0.8767)");
        Console.WriteLine($"  {"sampler",-36} {"median",12} {"min",12} {"max",12}");
        var samplers = new (string Name, Func<long, ISampler> Create)[]
        {
            ("fathom default MOTPE (multivariate)", seed => new TpeSampler(TpeOptions.FathomDefaults(seed))),
            ("optuna-faithful MOTPE", seed => new TpeSampler(new TpeOptions(seed))),
            ("fathom NSGA-II (defaults)", seed => new NsgaIISampler(new NsgaIIOptions(seed))),
        };
        double? fathom = null;
        foreach (var (name, create) in samplers)
        {
            var hvs = new List<double>();
            for (var seed = 0; seed < seeds; seed++)
            {
                var study = new InMemoryStudy("zdt1", [StudyDirection.Minimize, StudyDirection.Minimize], create(seed));
                for (var i = 0; i < 200; i++)
                {
                    var trial = study.Ask();
                    study.Tell(trial, TrialState.Complete, TuningFunctions.Zdt1(trial));
                }
                hvs.Add(Hypervolume.Compute([.. study.Trials.Select(t => t.Values!.ToArray())], Reference));
            }
            fathom ??= Median(hvs);
            Row(name, [Median(hvs), hvs.Min(), hvs.Max()]);
        }
        if (optuna?.Zdt1 is { } theirs)
        {
            Row($"optuna {optuna.Version} MOTPE (TPE defaults)", [Median(theirs), theirs.Min(), theirs.Max()]);
        }
        Verdict($"fathom default median ≥ {HypervolumeTarget.ToString(CultureInfo.InvariantCulture)}", [fathom >= HypervolumeTarget]);
    }

    private static void Row(string name, IEnumerable<double> values, string format = "G6") =>
        Console.WriteLine($"  {name,-36} " + string.Join(' ', values.Select(v => v.ToString(format, CultureInfo.InvariantCulture).PadLeft(12))));

    private static void Verdict(string target, IEnumerable<bool> met) =>
        Console.WriteLine($"  {"target: " + target,-36} " + string.Join(' ', met.Select(m => (m ? "met" : "MISSED").PadLeft(12))));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
