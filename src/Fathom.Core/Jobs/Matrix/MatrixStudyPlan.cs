using System.Globalization;
using System.Text.Json;
using Fathom.Config;
using Fathom.Tuning;

namespace Fathom.Jobs;

/// <summary>
/// How a <see cref="MatrixSpec"/> runs as a tuning study: Polyaxon's <c>grid</c> as the grid sampler over the discrete
/// generators' values, <c>random</c> as the random sampler, <c>hyperopt</c> (tpe, rand) and <c>bayes</c> as TPE (Fathom
/// has no Gaussian-process sampler; TPE is its model-based one, with <c>numInitialRuns</c> random start-up trials), and
/// <c>hyperband</c> as random configurations under the Hyperband pruner, each run given the full budget
/// (<c>maxIterations</c>) in its resource input and stopped early when the intermediate values it reports trail.
/// Discrete generators become categorical params outside the grid; <c>uniform</c>, <c>quniform</c> and
/// <c>loguniform</c> (bounds in log space, as hyperopt's) become float params.
/// </summary>
internal sealed record MatrixStudyPlan(
    string SamplerName,
    SamplerOptions Sampler,
    string SamplerJson,
    IReadOnlyList<KeyValuePair<string, ParamDistribution>> SearchSpace,
    IReadOnlyList<KeyValuePair<string, ConfigNode>> FixedParams,
    int NTrials,
    int NJobs,
    IReadOnlyList<StudyDirection> Directions,
    IReadOnlyList<string> Objectives,
    PrunerSettings Pruner,
    IReadOnlyList<string> Notes)
{
    /// <summary>The most runs a grid may expand to: a typo in a range should not queue millions of jobs.</summary>
    public const int MaxGridRuns = 100_000;

    public static MatrixStudyPlan From(MatrixSpec matrix, string path = "matrix")
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var notes = new List<string>();
        var space = new List<KeyValuePair<string, ParamDistribution>>();
        var grid = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
        foreach (var param in matrix.Params)
        {
            var where = $"{path}.params.{param.Name}";
            if (MatrixGenerators.Discrete(param, where) is { } values)
            {
                grid[param.Name] = values;
                space.Add(new(param.Name, new CategoricalDistribution(values)));
            }
            else if (matrix.Kind == "grid")
            {
                throw new ConfigException(param.Source, where, $"a grid takes discrete generators only (choice, range, linspace, logspace, geomspace), not {param.Kind}.");
            }
            else
            {
                space.Add(new(param.Name, MatrixGenerators.Continuous(param, where)));
            }
        }

        if (space.Count == 0)
        {
            throw new ConfigException(matrix.Source, $"{path}.params", "a matrix needs at least one param to search.");
        }

        var directions = new List<StudyDirection> { matrix.Metric is { Maximize: true } ? StudyDirection.Maximize : StudyDirection.Minimize };
        IReadOnlyList<string> objectives = matrix.Metric is { } metric ? [metric.Name] : [];
        var fixedParams = new List<KeyValuePair<string, ConfigNode>>();
        var pruner = new PrunerSettings("none", new Dictionary<string, object?>());
        SamplerOptions sampler;
        int trials;
        switch (matrix.Kind)
        {
            case "grid":
                var combinations = grid.Values.Aggregate(1L, (n, v) => n * Math.Max(1, v.Count));
                if (combinations > MaxGridRuns && matrix.NumRuns is null)
                {
                    throw new ConfigException(matrix.Source, $"{path}.params", $"the grid has {combinations:N0} combinations, more than {MaxGridRuns:N0}; cap it with numRuns or use kind: random.");
                }

                sampler = new GridOptions(grid, matrix.Seed);
                trials = (int)Math.Min(combinations, matrix.NumRuns ?? combinations);
                break;
            case "random":
                sampler = new RandomOptions(matrix.Seed);
                trials = matrix.NumRuns ?? throw Required(matrix, path, "numRuns", "a random search");
                break;
            case "hyperopt":
                RequireMetric(matrix, path);
                sampler = matrix.Algorithm switch
                {
                    null or "tpe" => new TpeOptions(matrix.Seed),
                    "rand" => new RandomOptions(matrix.Seed),
                    _ => throw new ConfigException(matrix.Source, $"{path}.algorithm", $"'{matrix.Algorithm}' cannot run here: Fathom's samplers cover tpe and rand (anneal has no counterpart)."),
                };
                trials = matrix.NumRuns ?? matrix.MaxIterations ?? throw Required(matrix, path, "numRuns", "a hyperopt search");
                break;
            case "bayes":
                RequireMetric(matrix, path);
                var initial = matrix.NumInitialRuns ?? throw Required(matrix, path, "numInitialRuns", "a bayes search");
                var iterations = matrix.MaxIterations ?? throw Required(matrix, path, "maxIterations", "a bayes search");
                sampler = new TpeOptions(matrix.Seed, NStartupTrials: initial);
                trials = initial + iterations;
                notes.Add($"{path}.kind bayes runs with Fathom's TPE sampler (a Gaussian process is not built in): {initial} random start-up runs, then {iterations} model-guided ones.");
                break;
            case "hyperband":
                RequireMetric(matrix, path);
                var maxIterations = matrix.MaxIterations ?? throw Required(matrix, path, "maxIterations", "hyperband");
                if (matrix.Eta < 2)
                {
                    throw new ConfigException(matrix.Source, $"{path}.eta", $"must be 2 or more, not {matrix.Eta}.");
                }

                var resource = matrix.Resource ?? throw Required(matrix, path, "resource", "hyperband (the input that receives the budget)");
                sampler = new RandomOptions(matrix.Seed);
                trials = HyperbandRuns(maxIterations, matrix.Eta);
                fixedParams.Add(new(resource, ConfigScalar.Of((long)maxIterations, matrix.Source)));
                pruner = new PrunerSettings("hyperband", new Dictionary<string, object?>
                {
                    ["min_resource"] = 1L,
                    ["max_resource"] = (long)maxIterations,
                    ["reduction_factor"] = (long)matrix.Eta,
                });
                notes.Add($"{path}.kind hyperband: each run gets {resource}={maxIterations} and is stopped early by the Hyperband pruner when the `step=N {matrix.Metric!.Name}=value` lines it prints trail the others.");
                break;
            default:
                throw new ConfigException(matrix.Source, $"{path}.kind", $"{matrix.Kind} is read but cannot run here yet: use grid, random, bayes, hyperopt or hyperband.");
        }

        if (trials < 1)
        {
            throw new ConfigException(matrix.Source, path, $"the search would run {trials} runs; give numRuns of 1 or more.");
        }

        var samplerJson = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["matrix"] = matrix.Kind,
            ["seed"] = matrix.Seed,
            ["algorithm"] = matrix.Algorithm,
        });
        var samplerName = sampler switch
        {
            GridOptions => "grid",
            TpeOptions => "tpe",
            _ => "random",
        };
        return new MatrixStudyPlan(samplerName, sampler, samplerJson, space, fixedParams, trials, matrix.Concurrency, directions, objectives, pruner, notes);
    }

    /// <summary>Configurations Polyaxon's Hyperband tries over all its brackets: Σ ⌈(s_max+1)·η^s/(s+1)⌉.</summary>
    public static int HyperbandRuns(int maxIterations, int eta)
    {
        var sMax = (int)Math.Floor(Math.Log(maxIterations) / Math.Log(eta) + 1e-9);
        var total = 0;
        for (var s = sMax; s >= 0; s--)
        {
            total += (int)Math.Ceiling((sMax + 1) * Math.Pow(eta, s) / (s + 1));
        }

        return total;
    }

    private static void RequireMetric(MatrixSpec matrix, string path)
    {
        if (matrix.Metric is null)
        {
            throw Required(matrix, path, "metric", $"a {matrix.Kind} search (the metric it optimises: {{name: loss, optimization: minimize}})");
        }
    }

    private static ConfigException Required(MatrixSpec matrix, string path, string key, string what) =>
        new(matrix.Source, $"{path}.{key}", string.Create(CultureInfo.InvariantCulture, $"is required for {what}."));
}
