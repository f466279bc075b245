using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// Options of <see cref="NsgaIISampler"/> with Optuna's defaults: population 50, mutation probability
/// 1/max(1, params) when null, crossover probability 0.9, uniform crossover swapping with probability 0.5.
/// </summary>
internal sealed record NsgaIIOptions(
    long? Seed = null,
    int PopulationSize = 50,
    double? MutationProb = null,
    double CrossoverProb = 0.9,
    double SwappingProb = 0.5) : SamplerOptions;

/// <summary>
/// NSGA-II (Deb et al. 2002, as Optuna's <c>NSGAIISampler</c> with uniform crossover): generation 0 is random; each
/// later generation's parents are the elite of the previous generation's complete trials and its parents (whole
/// non-domination fronts, the last one cut by crowding distance); a child takes, with the crossover probability,
/// each param from one of two parents chosen by binary tournament (else copies one parent), and each param is then
/// dropped with the mutation probability and resampled at random. Generations are system attribute
/// <c>nsga2:generation</c>; parent populations are recomputed from the trials (and memoised), not stored.
/// </summary>
internal sealed class NsgaIISampler : ISampler
{
    public const string GenerationKey = "nsga2:generation";
    public const string ParentsKey = "nsga2:parents";

    private readonly NsgaIIOptions _options;
    private readonly long _seed;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, (string Key, List<FrozenTrial> Parents)> _parents = [];

    public NsgaIISampler(NsgaIIOptions? options = null)
    {
        _options = options ?? new NsgaIIOptions();
        if (_options.PopulationSize < 2)
        {
            throw new ArgumentException($"nsgaii: population_size must be at least 2, not {_options.PopulationSize}.");
        }
        if (_options.MutationProb is { } m && (m < 0 || m > 1))
        {
            throw new ArgumentException($"nsgaii: mutation_prob must be in [0, 1], not {m}.");
        }
        if (_options.CrossoverProb is < 0 or > 1)
        {
            throw new ArgumentException($"nsgaii: crossover_prob must be in [0, 1], not {_options.CrossoverProb}.");
        }
        if (_options.SwappingProb is < 0 or > 1)
        {
            throw new ArgumentException($"nsgaii: swapping_prob must be in [0, 1], not {_options.SwappingProb}.");
        }
        _seed = _options.Seed ?? SamplerRandom.FreshSeed();
    }

    public IReadOnlyDictionary<string, string> BeforeTrial(StudyView study, FrozenTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (trial.SystemAttrs.ContainsKey(GenerationKey))
        {
            return new Dictionary<string, string>();
        }
        return new Dictionary<string, string> { [GenerationKey] = Generation(study).ToString(CultureInfo.InvariantCulture) };
    }

    public IReadOnlyDictionary<string, ParamDistribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial) =>
        SearchSpaces.Intersection(study).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public RelativeSample SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, ParamDistribution> searchSpace)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(searchSpace);
        var generation = GenerationOf(trial) ?? Generation(study);
        if (generation == 0 || searchSpace.Count == 0)
        {
            return RelativeSample.Empty;
        }
        var parents = ParentPopulation(study, generation);
        if (parents.Count == 0)
        {
            return RelativeSample.Empty;
        }
        var rng = SamplerRandom.For(_seed, trial.Number, "nsga2");
        var names = searchSpace.Keys.Order(StringComparer.Ordinal).ToList();
        Dictionary<string, double> child;
        List<FrozenTrial> chosen;
        if (parents.Count >= 2 && rng.NextDouble() < _options.CrossoverProb)
        {
            var first = Tournament(study, parents, rng);
            var second = Tournament(study, [.. parents.Where(p => p != first)], rng);
            chosen = [first, second];
            child = [];
            foreach (var name in names)
            {
                // Uniform crossover: numpy's mask `rand >= swapping_prob` keeps the first parent's value.
                var from = rng.NextDouble() >= _options.SwappingProb ? first : second;
                child[name] = from.Params[name];
            }
        }
        else
        {
            var parent = parents[rng.Next(parents.Count)];
            chosen = [parent];
            child = names.ToDictionary(n => n, n => parent.Params[n], StringComparer.Ordinal);
        }
        var mutation = _options.MutationProb ?? 1.0 / Math.Max(1, names.Count);
        foreach (var name in names)
        {
            // Mutation drops the param: the independent (random) sampler then draws it.
            if (rng.NextDouble() < mutation || !searchSpace[name].Contains(child[name]))
            {
                child.Remove(name);
            }
        }
        var attrs = new Dictionary<string, string>
        {
            [ParentsKey] = string.Join(',', chosen.Select(p => p.Number.ToString(CultureInfo.InvariantCulture))),
        };
        return new RelativeSample(child, attrs);
    }

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return RandomSampler.Sample(distribution, SamplerRandom.For(_seed, trial.Number, name));
    }

    public AfterTrialResult AfterTrial(StudyView study, FrozenTrial trial, TrialState state, IReadOnlyList<double>? values) =>
        AfterTrialResult.Continue;

    /// <summary>
    /// The generation of a new trial (Optuna's rule): the highest generation among complete trials, or the next one
    /// once that generation has <c>population_size</c> complete trials.
    /// </summary>
    public int Generation(StudyView study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var max = 0;
        var count = 0;
        foreach (var t in study.TrialsIn(TrialState.Complete))
        {
            var g = GenerationOf(t) ?? -1;
            if (g > max)
            {
                max = g;
                count = 1;
            }
            else if (g == max)
            {
                count++;
            }
        }
        return count < _options.PopulationSize ? max : max + 1;
    }

    /// <summary>The parents of a generation: the elite of the previous generation's complete trials and its parents.</summary>
    public List<FrozenTrial> ParentPopulation(StudyView study, int generation)
    {
        ArgumentNullException.ThrowIfNull(study);
        if (generation <= 0)
        {
            return [];
        }
        var previous = study.TrialsIn(TrialState.Complete).Where(t => GenerationOf(t) == generation - 1).ToList();
        var previousParents = ParentPopulation(study, generation - 1);
        var pool = previous.Concat(previousParents).DistinctBy(t => t.Number).OrderBy(t => t.Number).ToList();
        var key = string.Join(',', pool.Select(t => t.Number));
        lock (_lock)
        {
            if (_parents.TryGetValue(generation, out var cached) && cached.Key == key)
            {
                return cached.Parents;
            }
        }
        var elite = SelectElite(study, pool, _options.PopulationSize);
        lock (_lock)
        {
            _parents[generation] = (key, elite);
        }
        return elite;
    }

    /// <summary>
    /// NSGA-II survival: whole non-domination fronts while they fit strictly below the size, then the next front by
    /// descending crowding distance.
    /// </summary>
    public static List<FrozenTrial> SelectElite(StudyView study, IReadOnlyList<FrozenTrial> population, int size)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(population);
        var losses = population.Select(study.Losses).ToList();
        var ranks = MultiObjective.NonDominatedRanks(losses);
        var elite = new List<FrozenTrial>(size);
        foreach (var rank in ranks.Distinct().Order())
        {
            var front = Enumerable.Range(0, population.Count).Where(i => ranks[i] == rank).ToList();
            if (elite.Count + front.Count < size)
            {
                elite.AddRange(front.Select(i => population[i]));
                continue;
            }
            var distances = MultiObjective.CrowdingDistance([.. front.Select(i => population[i].Values!.ToArray())]);
            var byCrowding = Enumerable.Range(0, front.Count).OrderByDescending(i => distances[i]).ThenBy(i => front[i]);
            elite.AddRange(byCrowding.Take(size - elite.Count).Select(i => population[front[i]]));
            break;
        }
        return elite;
    }

    /// <summary>Binary tournament: two distinct random candidates, the dominating one wins, else a coin decides.</summary>
    private static FrozenTrial Tournament(StudyView study, List<FrozenTrial> candidates, Random rng)
    {
        if (candidates.Count == 1)
        {
            return candidates[0];
        }
        var i = rng.Next(candidates.Count);
        var j = rng.Next(candidates.Count - 1);
        if (j >= i)
        {
            j++;
        }
        var a = study.Losses(candidates[i]);
        var b = study.Losses(candidates[j]);
        if (MultiObjective.Dominates(a, b))
        {
            return candidates[i];
        }
        if (MultiObjective.Dominates(b, a))
        {
            return candidates[j];
        }
        return rng.Next(2) == 0 ? candidates[i] : candidates[j];
    }

    private static int? GenerationOf(FrozenTrial trial) =>
        trial.SystemAttrs.TryGetValue(GenerationKey, out var g) && int.TryParse(g, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : null;
}
