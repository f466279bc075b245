using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// Options of <see cref="CmaEsSampler"/>: <paramref name="X0"/> is the initial mean (external values by param name,
/// default the centre of each range), <paramref name="Sigma0"/> the initial step size in the space normalised to
/// [0, 1] per param (default 1/6, Optuna's min_range/6 under its 0–1 transform), <paramref name="PopulationSize"/>
/// λ (default 4 + ⌊3 ln d⌋).
/// </summary>
internal sealed record CmaEsOptions(
    long? Seed = null,
    IReadOnlyDictionary<string, double>? X0 = null,
    double? Sigma0 = null,
    int? PopulationSize = null,
    int NStartupTrials = 1) : SamplerOptions;

/// <summary>
/// CMA-ES (Hansen's tutorial, 2016; Optuna's <c>CmaEsSampler</c> defaults) over the float and int params of the
/// intersection space, normalised to [0, 1] (log params in log space, steps widened by half a step); categoricals and
/// one-param spaces go to random sampling. Single objective. The optimiser is not stored: its state is replayed from
/// the complete trials of each generation (system attribute <c>cma:generation</c>), so it depends only on the history
/// and the seed. Positive recombination weights only (no active CMA), no restarts, no separable variant.
/// </summary>
internal sealed partial class CmaEsSampler : ISampler
{
    public const string GenerationKey = "cma:generation";

    private readonly CmaEsOptions _options;
    private readonly long _seed;

    public CmaEsSampler(CmaEsOptions? options = null)
    {
        _options = options ?? new CmaEsOptions();
        if (_options.Sigma0 is { } s && !(s > 0))
        {
            throw new ArgumentException($"cmaes: sigma0 must be positive, not {s}.");
        }
        if (_options.PopulationSize is { } p && p < 2)
        {
            throw new ArgumentException($"cmaes: population_size must be at least 2, not {p}.");
        }
        _seed = _options.Seed ?? SamplerRandom.FreshSeed();
    }

    public IReadOnlyDictionary<string, string> BeforeTrial(StudyView study, FrozenTrial trial) => new Dictionary<string, string>();

    public IReadOnlyDictionary<string, ParamDistribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial)
    {
        var numeric = SearchSpaces.Intersection(study).Where(p => p.Value is FloatDistribution or IntDistribution).ToList();
        // Optuna's CMA-ES leaves a one-param space to the independent sampler.
        return numeric.Count < 2 ? [] : numeric.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    public RelativeSample SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, ParamDistribution> searchSpace)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(searchSpace);
        if (study.IsMultiObjective)
        {
            throw new InvalidOperationException("cmaes: CMA-ES optimises one objective; use TPE or NSGA-II for several.");
        }
        if (searchSpace.Count < 2 || study.TrialsIn(TrialState.Complete).Count() < _options.NStartupTrials)
        {
            return RelativeSample.Empty;
        }
        var space = searchSpace.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var state = Replay(study, space);
        var rng = SamplerRandom.For(_seed, trial.Number, "cma");
        var x = state.Ask(rng);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var j = 0; j < space.Count; j++)
        {
            result[space[j].Key] = FromUnit(space[j].Value, x[j]);
        }
        var attrs = new Dictionary<string, string> { [GenerationKey] = state.Generation.ToString(CultureInfo.InvariantCulture) };
        return new RelativeSample(result, attrs);
    }

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return RandomSampler.Sample(distribution, SamplerRandom.For(_seed, trial.Number, name));
    }

    public AfterTrialResult AfterTrial(StudyView study, FrozenTrial trial, TrialState state, IReadOnlyList<double>? values) =>
        AfterTrialResult.Continue;

    /// <summary>
    /// The optimiser after every generation whose first λ trials are complete: generation g is told the complete
    /// trials tagged g (oldest first) once there are λ of them.
    /// </summary>
    private CmaState Replay(StudyView study, List<KeyValuePair<string, ParamDistribution>> space)
    {
        var d = space.Count;
        var mean = new double[d];
        for (var j = 0; j < d; j++)
        {
            mean[j] = _options.X0 is { } x0 && x0.TryGetValue(space[j].Key, out var v)
                ? Math.Clamp(ToUnit(space[j].Value, space[j].Value.ToInternal(v)), 0, 1)
                : 0.5;
        }
        var state = new CmaState(mean, _options.Sigma0 ?? 1.0 / 6, _options.PopulationSize);
        var sign = study.Direction == StudyDirection.Maximize ? -1.0 : 1.0;
        var byGeneration = study.TrialsIn(TrialState.Complete)
            .Where(t => t.SystemAttrs.ContainsKey(GenerationKey) && space.All(p => t.Params.ContainsKey(p.Key)))
            .GroupBy(t => int.Parse(t.SystemAttrs[GenerationKey], CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.OrderBy(t => t.Number).ToList());
        while (byGeneration.TryGetValue(state.Generation, out var members) && members.Count >= state.Lambda)
        {
            var solutions = members.Take(state.Lambda)
                .Select(t => (X: space.Select(p => ToUnit(p.Value, t.Params[p.Key])).ToArray(), F: sign * t.Values![0]))
                .ToList();
            state.Tell(solutions);
        }
        return state;
    }

    private static (double Low, double High, bool Log) Bounds(ParamDistribution distribution) => distribution switch
    {
        FloatDistribution { Step: { } s } f => (f.Low - s / 2, f.High + s / 2, false),
        FloatDistribution f => f.Log ? (Math.Log(f.Low), Math.Log(f.High), true) : (f.Low, f.High, false),
        IntDistribution { Log: true } i => (Math.Log(i.Low - 0.5), Math.Log(i.High + 0.5), true),
        IntDistribution i => (i.Low - i.Step / 2.0, i.High + i.Step / 2.0, false),
        _ => throw new ArgumentException($"cmaes: {distribution} is not numeric."),
    };

    internal static double ToUnit(ParamDistribution distribution, double value)
    {
        var (low, high, log) = Bounds(distribution);
        var t = log ? Math.Log(value) : value;
        return high > low ? (t - low) / (high - low) : 0.5;
    }

    internal static double FromUnit(ParamDistribution distribution, double unit)
    {
        var (low, high, log) = Bounds(distribution);
        var t = low + Math.Clamp(unit, 0, 1) * (high - low);
        var v = log ? Math.Exp(t) : t;
        return distribution switch
        {
            FloatDistribution { Step: { } s } f => RandomSampler.OnGrid(v, f.Low, f.High, s),
            FloatDistribution f => Math.Clamp(v, f.Low, f.High),
            IntDistribution i => RandomSampler.OnGrid(v, i.Low, i.High, i.Step),
            _ => v,
        };
    }
}
