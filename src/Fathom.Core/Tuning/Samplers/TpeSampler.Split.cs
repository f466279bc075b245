namespace Fathom.Tuning;

internal sealed partial class TpeSampler
{
    private const double Eps = 1e-12;

    /// <summary>The good (below) and bad (above) trials, each ordered by trial number.</summary>
    internal sealed record Split(IReadOnlyList<FrozenTrial> Below, IReadOnlyList<FrozenTrial> Above);

    /// <summary>
    /// Optuna's split: the <paramref name="nBelow"/> best complete trials (one objective: by value; several: whole
    /// non-domination ranks, the first rank that does not fit cut by HSSP); the quota left is filled from pruned
    /// trials that got furthest and were best there; the rest, and running trials (constant liar), are above.
    /// </summary>
    internal static Split SplitTrials(StudyView study, IReadOnlyList<FrozenTrial> trials, int nBelow)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trials);
        var complete = new List<FrozenTrial>();
        var pruned = new List<FrozenTrial>();
        var running = new List<FrozenTrial>();
        foreach (var t in trials)
        {
            switch (t.State)
            {
                case TrialState.Running:
                    running.Add(t);
                    break;
                case TrialState.Complete:
                    complete.Add(t);
                    break;
                case TrialState.Pruned when !study.IsMultiObjective:
                    pruned.Add(t);
                    break;
                case TrialState.Pruned:
                    // Several objectives: a pruned trial has no value vector, so it can only be bad.
                    running.Add(t);
                    break;
                default:
                    break;
            }
        }
        var (belowComplete, aboveComplete) = study.IsMultiObjective
            ? SplitMultiObjective(study, complete, Math.Min(nBelow, complete.Count))
            : SplitSingleObjective(study, complete, Math.Min(nBelow, complete.Count));
        var left = Math.Max(0, nBelow - belowComplete.Count);
        var prunedSorted = pruned.OrderBy(t => PrunedScore(study, t)).ToList();
        var take = Math.Min(left, prunedSorted.Count);
        // Both sets in trial-number order (the age weights need it): mark the good ones, then walk the input.
        var good = new HashSet<int>(belowComplete.Count + take);
        foreach (var t in belowComplete)
        {
            good.Add(t.Number);
        }
        foreach (var t in prunedSorted.Take(take))
        {
            good.Add(t.Number);
        }
        var ordered = trials.Zip(Enumerable.Range(0, trials.Count)).All(p => p.Second == 0 || trials[p.Second - 1].Number < p.First.Number)
            ? trials
            : [.. trials.OrderBy(t => t.Number)];
        var below = new List<FrozenTrial>(good.Count);
        var above = new List<FrozenTrial>(ordered.Count - good.Count);
        foreach (var t in ordered)
        {
            if (t.State is TrialState.Complete or TrialState.Pruned or TrialState.Running)
            {
                (good.Contains(t.Number) ? below : above).Add(t);
            }
        }
        return new Split(below, above);
    }

    private static (List<FrozenTrial>, List<FrozenTrial>) SplitSingleObjective(StudyView study, List<FrozenTrial> complete, int nBelow)
    {
        // The nBelow best by (value, position): Python's stable sort over trials ordered by number breaks ties by age.
        // A small sorted buffer of the best so far is enough (nBelow ≤ 25 by default): O(n) for a sorted-out majority.
        if (nBelow == 0)
        {
            return ([], complete);
        }
        var sign = study.Direction == StudyDirection.Maximize ? -1.0 : 1.0;
        var bestKeys = new double[nBelow];
        var bestIndex = new int[nBelow];
        var count = 0;
        for (var i = 0; i < complete.Count; i++)
        {
            var key = sign * complete[i].Values![0];
            if (count == nBelow && !(key < bestKeys[count - 1]))
            {
                continue;
            }
            var at = count == nBelow ? count - 1 : count++;
            while (at > 0 && key < bestKeys[at - 1])
            {
                bestKeys[at] = bestKeys[at - 1];
                bestIndex[at] = bestIndex[at - 1];
                at--;
            }
            bestKeys[at] = key;
            bestIndex[at] = i;
        }
        var chosen = new bool[complete.Count];
        for (var k = 0; k < count; k++)
        {
            chosen[bestIndex[k]] = true;
        }
        var below = new List<FrozenTrial>(count);
        var above = new List<FrozenTrial>(complete.Count - count);
        for (var i = 0; i < complete.Count; i++)
        {
            (chosen[i] ? below : above).Add(complete[i]);
        }
        return (below, above);
    }

    private static (List<FrozenTrial>, List<FrozenTrial>) SplitMultiObjective(StudyView study, List<FrozenTrial> complete, int nBelow)
    {
        if (nBelow == 0)
        {
            return ([], complete);
        }
        if (nBelow == complete.Count)
        {
            return (complete, []);
        }
        var losses = complete.Select(study.Losses).ToList();
        var ranks = MultiObjective.NonDominatedRanks(losses, nBelow);
        var chosen = new bool[complete.Count];
        var count = 0;
        for (var rank = 0; ; rank++)
        {
            var members = Enumerable.Range(0, complete.Count).Where(i => ranks[i] == rank).ToList();
            if (count + members.Count <= nBelow)
            {
                members.ForEach(i => chosen[i] = true);
                count += members.Count;
                if (count == nBelow)
                {
                    break;
                }
                continue;
            }
            // The first rank that does not fit: keep the subset with the largest hypervolume.
            var rankLosses = members.Select(i => losses[i]).ToList();
            var reference = Hypervolume.MotpeReferencePoint(rankLosses);
            foreach (var i in Hypervolume.SelectSubset(rankLosses, nBelow - count, reference))
            {
                chosen[members[i]] = true;
            }
            break;
        }
        var below = complete.Where((_, i) => chosen[i]).ToList();
        var above = complete.Where((_, i) => !chosen[i]).ToList();
        return (below, above);
    }

    private static (double Step, double Value) PrunedScore(StudyView study, FrozenTrial trial)
    {
        if (trial.LastStep is not { } step)
        {
            return (1, 0);
        }
        var value = trial.IntermediateValues[step];
        if (double.IsNaN(value))
        {
            return (-step, double.PositiveInfinity);
        }
        return (-step, study.Direction == StudyDirection.Maximize ? -value : value);
    }

    /// <summary>
    /// MOTPE's weights of the good observations: each Pareto point's hypervolume contribution over the largest,
    /// floored at 1e-12 (dominated points get the floor), against the reference point of the good set.
    /// </summary>
    internal static double[] MotpeWeights(StudyView study, IReadOnlyList<FrozenTrial> below)
    {
        var weights = new double[below.Count];
        Array.Fill(weights, 1.0);
        if (below.Count <= 1)
        {
            return weights;
        }
        var losses = below.Select(study.Losses).ToList();
        var reference = Hypervolume.MotpeReferencePoint(losses);
        if (double.IsInfinity(Hypervolume.Compute(losses, reference)))
        {
            return weights;
        }
        var contributions = Hypervolume.Contributions(losses, reference);
        var max = Math.Max(contributions.Max(), Eps);
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = Math.Max(contributions[i] / max, Eps);
        }
        return weights;
    }
}
