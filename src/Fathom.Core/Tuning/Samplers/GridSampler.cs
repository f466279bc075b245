using System.Globalization;

namespace Fathom.Tuning;

/// <summary>Options of <see cref="GridSampler"/>: the values of each param (external representation) and a seed.</summary>
internal sealed record GridOptions(IReadOnlyDictionary<string, IReadOnlyList<object?>> SearchSpace, long? Seed = null) : SamplerOptions;

/// <summary>
/// Every combination of the given values once (Optuna's <c>GridSampler</c>): the Cartesian product over params sorted
/// by name, shuffled once by the seed; trial n &lt; N takes grid n, later trials a random grid not yet taken by a
/// running or finished trial. The grid id is recorded as system attribute <c>grid_id</c>; when every grid has been
/// taken, <see cref="AfterTrial"/> asks the driver to stop, and extra trials repeat random grids.
/// </summary>
internal sealed class GridSampler : ISampler
{
    public const string GridIdKey = "grid_id";

    private static readonly Dictionary<string, ParamDistribution> NoSpace = [];
    private readonly string[] _names;
    private readonly object?[][] _values;
    private readonly int[][] _grids;
    private readonly long _seed;

    public GridSampler(GridOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _names = [.. options.SearchSpace.Keys.Order(StringComparer.Ordinal)];
        _values = [.. _names.Select(n => options.SearchSpace[n].ToArray())];
        foreach (var (name, values) in _names.Zip(_values))
        {
            if (values.Length == 0)
            {
                throw new ArgumentException($"grid: param '{name}' has no values.");
            }
        }
        _seed = options.Seed ?? 0;
        // Product in odometer order (last param fastest), then one seeded Fisher–Yates shuffle.
        var total = _values.Aggregate(1L, (acc, v) => acc * v.Length);
        if (total > 10_000_000)
        {
            throw new ArgumentException($"grid: {total} combinations is more than a grid sampler should walk.");
        }
        _grids = new int[total][];
        var index = new int[_names.Length];
        for (var g = 0; g < total; g++)
        {
            _grids[g] = (int[])index.Clone();
            for (var p = _names.Length - 1; p >= 0; p--)
            {
                if (++index[p] < _values[p].Length)
                {
                    break;
                }
                index[p] = 0;
            }
        }
        var rng = new Random((int)(_seed & 0x7FFFFFFF));
        rng.Shuffle(_grids);
    }

    public int GridCount => _grids.Length;

    public IReadOnlyDictionary<string, string> BeforeTrial(StudyView study, FrozenTrial trial)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        if (trial.SystemAttrs.ContainsKey(GridIdKey))
        {
            return new Dictionary<string, string>();
        }
        int id;
        if (trial.Number < _grids.Length && !Taken(study, trial).Contains(trial.Number))
        {
            id = trial.Number;
        }
        else
        {
            var unvisited = Unvisited(study, trial);
            var rng = SamplerRandom.For(_seed, trial.Number, "grid");
            id = unvisited.Count > 0 ? unvisited[rng.Next(unvisited.Count)] : rng.Next(_grids.Length);
        }
        return new Dictionary<string, string> { [GridIdKey] = id.ToString(CultureInfo.InvariantCulture) };
    }

    public IReadOnlyDictionary<string, ParamDistribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial) => NoSpace;

    public RelativeSample SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, ParamDistribution> searchSpace) =>
        RelativeSample.Empty;

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(distribution);
        var p = Array.IndexOf(_names, name);
        if (p < 0)
        {
            throw new ArgumentException($"grid: param '{name}' is not in the grid ({string.Join(", ", _names)}).");
        }
        if (!trial.SystemAttrs.TryGetValue(GridIdKey, out var idText))
        {
            throw new InvalidOperationException("grid: the trial has no grid_id; call BeforeTrial first (TrialSampling does).");
        }
        var id = int.Parse(idText, CultureInfo.InvariantCulture);
        var value = _values[p][_grids[id][p]];
        // A grid value outside the suggested distribution is still used (Optuna warns); categoricals need a match.
        return distribution switch
        {
            CategoricalDistribution c => c.ToInternal(value),
            _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        };
    }

    public AfterTrialResult AfterTrial(StudyView study, FrozenTrial trial, TrialState state, IReadOnlyList<double>? values) =>
        new(IsExhausted(study, trial));

    /// <summary>Whether every grid has been taken by a running or finished trial (the given one counting as taken).</summary>
    public bool IsExhausted(StudyView study, FrozenTrial? current = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        var taken = Taken(study, null);
        if (current is not null && current.SystemAttrs.TryGetValue(GridIdKey, out var id))
        {
            taken.Add(int.Parse(id, CultureInfo.InvariantCulture));
        }
        return taken.Count >= _grids.Length;
    }

    /// <summary>The grid ids not yet taken by a running or finished trial other than <paramref name="trial"/>.</summary>
    public List<int> Unvisited(StudyView study, FrozenTrial? trial)
    {
        var taken = Taken(study, trial);
        return [.. Enumerable.Range(0, _grids.Length).Where(g => !taken.Contains(g))];
    }

    private static HashSet<int> Taken(StudyView study, FrozenTrial? except)
    {
        var taken = new HashSet<int>();
        foreach (var t in study.Trials)
        {
            if (t.State != TrialState.Waiting && t.Number != except?.Number
                && t.SystemAttrs.TryGetValue(GridIdKey, out var id)
                && int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var g))
            {
                taken.Add(g);
            }
        }
        return taken;
    }
}
