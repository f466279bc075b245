namespace Fathom.Tuning;

/// <summary>
/// Options of <see cref="PercentilePruner"/> (Optuna's defaults). <see cref="PercentilePruner.Median"/> is the 50th percentile.
/// </summary>
internal sealed record PercentilePrunerOptions(
    double Percentile,
    int NStartupTrials = 5,
    int NWarmupSteps = 0,
    int IntervalSteps = 1,
    int NMinTrials = 1);

/// <summary>
/// Prunes a trial whose best intermediate value so far is worse than the given percentile of the complete trials'
/// values at the same step (Optuna's <c>PercentilePruner</c>; the median pruner is the 50th percentile). Checked
/// only after the start-up trials, past the warm-up, at the first report of each interval; NaN best prunes.
/// </summary>
internal sealed class PercentilePruner : IPruner
{
    private readonly PercentilePrunerOptions _options;

    public PercentilePruner(PercentilePrunerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Percentile is < 0 or > 100)
        {
            throw new ArgumentException($"pruner: percentile must be in [0, 100], not {options.Percentile}.");
        }
        if (options.NStartupTrials < 0 || options.NWarmupSteps < 0)
        {
            throw new ArgumentException("pruner: n_startup_trials and n_warmup_steps must be 0 or more.");
        }
        if (options.IntervalSteps < 1 || options.NMinTrials < 1)
        {
            throw new ArgumentException("pruner: interval_steps and n_min_trials must be at least 1.");
        }
        _options = options;
    }

    /// <summary>Optuna's <c>MedianPruner</c>.</summary>
    public static PercentilePruner Median(int nStartupTrials = 5, int nWarmupSteps = 0, int intervalSteps = 1, int nMinTrials = 1) =>
        new(new PercentilePrunerOptions(50, nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials));

    public PruneDecision ShouldPrune(StudyView study, FrozenTrial trial)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        var complete = study.TrialsIn(TrialState.Complete).ToList();
        if (complete.Count == 0 || complete.Count < _options.NStartupTrials)
        {
            return PruneDecision.Keep;
        }
        if (trial.LastStep is not { } step || step < _options.NWarmupSteps)
        {
            return PruneDecision.Keep;
        }
        if (!IsFirstInInterval(trial, step))
        {
            return PruneDecision.Keep;
        }
        var maximize = study.Direction == StudyDirection.Maximize;
        var best = BestSoFar(trial, maximize);
        if (double.IsNaN(best))
        {
            return PruneDecision.Stop;
        }
        var atStep = new List<double>();
        foreach (var t in complete)
        {
            if (t.IntermediateValues.TryGetValue(step, out var v) && !double.IsNaN(v))
            {
                atStep.Add(v);
            }
        }
        if (atStep.Count < _options.NMinTrials)
        {
            return PruneDecision.Keep;
        }
        var q = maximize ? 100 - _options.Percentile : _options.Percentile;
        var reference = Percentile(atStep, q);
        return PruneDecision.Of(maximize ? best < reference : best > reference);
    }

    private bool IsFirstInInterval(FrozenTrial trial, int step)
    {
        var interval = _options.IntervalSteps;
        if (interval == 1)
        {
            return true;
        }
        var warmup = _options.NWarmupSteps;
        var checkpoint = (step - warmup) / interval * interval + warmup;
        var previous = trial.IntermediateValues.Keys.Where(s => s != step).DefaultIfEmpty(-1).Max();
        return previous < checkpoint;
    }

    private static double BestSoFar(FrozenTrial trial, bool maximize)
    {
        var values = trial.IntermediateValues.Values.Where(v => !double.IsNaN(v)).ToList();
        if (values.Count == 0)
        {
            return double.NaN;
        }
        return maximize ? values.Max() : values.Min();
    }

    /// <summary>numpy's percentile with linear interpolation between the closest ranks.</summary>
    internal static double Percentile(IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = q / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
