namespace Fathom.Tuning;

/// <summary>
/// Joint search spaces inferred from finished (complete and pruned) trials, as Optuna's
/// <c>IntersectionSearchSpace</c> and <c>_GroupDecomposedSearchSpace</c>. Results are ordered by param name;
/// single-valued params are left out.
/// </summary>
internal static class SearchSpaces
{
    /// <summary>Params present in every finished trial with the same distribution.</summary>
    public static IReadOnlyList<KeyValuePair<string, ParamDistribution>> Intersection(StudyView study)
    {
        var tracker = new SearchSpaceTracker();
        tracker.Update(study);
        return tracker.Intersection;
    }

    /// <summary>
    /// A partition of the params into groups that always occur together. Optuna refines groups trial by trial (each
    /// trial's params split every group into its part inside and outside, unseen params form a new group); the
    /// result is the same as grouping params by the set of trials they occur in, which is how it is computed here.
    /// Params whose distribution changed between trials are left out. Groups are ordered by their first name.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, ParamDistribution>>> Groups(StudyView study)
    {
        var tracker = new SearchSpaceTracker();
        tracker.Update(study);
        return tracker.Groups;
    }
}

/// <summary>
/// The search spaces of <see cref="SearchSpaces"/> kept up to date across asks: finished trials never change, so
/// each update only reads trials not seen before (by number), and rebuilds when a view lacks a trial seen before
/// (a Hyperband bracket's subset). The answer depends only on the view's finished trials, never on call order.
/// </summary>
internal sealed class SearchSpaceTracker
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _seen = [];
    private readonly Dictionary<string, Stats> _params = new(StringComparer.Ordinal);
    private List<KeyValuePair<string, ParamDistribution>> _intersection = [];
    private List<IReadOnlyList<KeyValuePair<string, ParamDistribution>>> _groups = [];

    public IReadOnlyList<KeyValuePair<string, ParamDistribution>> Intersection
    {
        get
        {
            lock (_lock)
            {
                return _intersection;
            }
        }
    }

    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, ParamDistribution>>> Groups
    {
        get
        {
            lock (_lock)
            {
                return _groups;
            }
        }
    }

    public void Update(StudyView study)
    {
        ArgumentNullException.ThrowIfNull(study);
        lock (_lock)
        {
            var present = 0;
            List<FrozenTrial>? fresh = null;
            foreach (var t in study.Trials)
            {
                if (t.State is not (TrialState.Complete or TrialState.Pruned))
                {
                    continue;
                }
                if (_seen.Contains(t.Number))
                {
                    present++;
                }
                else
                {
                    (fresh ??= []).Add(t);
                }
            }
            if (present != _seen.Count)
            {
                _seen.Clear();
                _params.Clear();
                fresh = [.. study.Trials.Where(t => t.State is TrialState.Complete or TrialState.Pruned)];
            }
            else if (fresh is null)
            {
                return;
            }
            foreach (var t in fresh)
            {
                _seen.Add(t.Number);
                var mark = SamplerRandom.Mix((ulong)(uint)t.Number);
                foreach (var (name, distribution) in t.Distributions)
                {
                    if (!_params.TryGetValue(name, out var stats))
                    {
                        _params[name] = stats = new Stats(distribution);
                    }
                    stats.Count++;
                    stats.Membership += mark;
                    stats.Consistent &= stats.Distribution.Equals(distribution);
                }
            }
            var usable = _params
                .Where(p => p.Value.Consistent && !p.Value.Distribution.IsSingle)
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ToList();
            _intersection = [.. usable.Where(p => p.Value.Count == _seen.Count).Select(p => new KeyValuePair<string, ParamDistribution>(p.Key, p.Value.Distribution))];
            _groups = [.. usable
                .GroupBy(p => (p.Value.Count, p.Value.Membership))
                .Select(g => (IReadOnlyList<KeyValuePair<string, ParamDistribution>>)[.. g.Select(p => new KeyValuePair<string, ParamDistribution>(p.Key, p.Value.Distribution))])
                .OrderBy(g => g[0].Key, StringComparer.Ordinal)];
        }
    }

    private sealed class Stats(ParamDistribution distribution)
    {
        public ParamDistribution Distribution { get; } = distribution;
        public int Count { get; set; }

        // Sum of a 64-bit mix of each trial number holding the param: equal for params in the same trials.
        public ulong Membership { get; set; }
        public bool Consistent { get; set; } = true;
    }
}
