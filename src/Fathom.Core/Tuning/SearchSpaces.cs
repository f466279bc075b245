namespace Fathom.Tuning;

/// <summary>
/// Joint search spaces inferred from finished trials, as Optuna's <c>IntersectionSearchSpace</c> and
/// <c>_GroupDecomposedSearchSpace</c> (complete and pruned trials count). Results are ordered by param name.
/// </summary>
internal static class SearchSpaces
{
    /// <summary>Params present in every complete or pruned trial with the same distribution, single-valued ones left out.</summary>
    public static IReadOnlyList<KeyValuePair<string, ParamDistribution>> Intersection(StudyView study)
    {
        ArgumentNullException.ThrowIfNull(study);
        Dictionary<string, ParamDistribution>? space = null;
        foreach (var trial in study.TrialsIn(TrialState.Complete, TrialState.Pruned))
        {
            if (space is null)
            {
                space = new Dictionary<string, ParamDistribution>(trial.Distributions);
                continue;
            }
            foreach (var name in space.Keys.ToList())
            {
                if (!trial.Distributions.TryGetValue(name, out var d) || !d.Equals(space[name]))
                {
                    space.Remove(name);
                }
            }
        }
        return Ordered(space ?? []);
    }

    /// <summary>
    /// A partition of the params into groups that always occur together: each finished trial's param set splits
    /// every group into its part inside and outside the trial, and params no group holds yet form a new group.
    /// Single-valued params are left out; groups are ordered by their first name.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, ParamDistribution>>> Groups(StudyView study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var groups = new List<Dictionary<string, ParamDistribution>>();
        foreach (var trial in study.TrialsIn(TrialState.Complete, TrialState.Pruned))
        {
            var keys = trial.Distributions.Keys.ToHashSet(StringComparer.Ordinal);
            var next = new List<Dictionary<string, ParamDistribution>>();
            foreach (var group in groups)
            {
                var inside = group.Where(p => keys.Contains(p.Key)).ToDictionary(StringComparer.Ordinal);
                var outside = group.Where(p => !keys.Contains(p.Key)).ToDictionary(StringComparer.Ordinal);
                if (inside.Count > 0)
                {
                    next.Add(inside);
                }
                if (outside.Count > 0)
                {
                    next.Add(outside);
                }
            }
            var seen = groups.SelectMany(g => g.Keys).ToHashSet(StringComparer.Ordinal);
            var fresh = trial.Distributions.Where(p => !seen.Contains(p.Key)).ToDictionary(StringComparer.Ordinal);
            if (fresh.Count > 0)
            {
                next.Add(fresh);
            }
            groups = next;
        }
        return [.. groups
            .Select(Ordered)
            .Where(g => g.Count > 0)
            .OrderBy(g => g[0].Key, StringComparer.Ordinal)];
    }

    private static List<KeyValuePair<string, ParamDistribution>> Ordered(Dictionary<string, ParamDistribution> space) =>
        [.. space.Where(p => !p.Value.IsSingle).OrderBy(p => p.Key, StringComparer.Ordinal)];
}
