using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// Options of <see cref="SuccessiveHalvingPruner"/> (Optuna's defaults): <paramref name="MinResource"/> null means
/// "auto" (max(⌊last step of the longest complete trial / 100⌋, 1), no pruning before a trial completed).
/// </summary>
internal sealed record SuccessiveHalvingOptions(
    int? MinResource = null,
    int ReductionFactor = 4,
    int MinEarlyStoppingRate = 0,
    int BootstrapCount = 0);

/// <summary>
/// Asynchronous successive halving (ASHA; Optuna's <c>SuccessiveHalvingPruner</c>): rung k is reached at step
/// r·η^(s+k); a trial reaching a rung records its value there (<c>completed_rung_k</c>) and is promoted only when
/// that value is within the best ⌊n/η⌋ (at least 1) of the n trials that reached the rung, else it is pruned.
/// </summary>
internal sealed class SuccessiveHalvingPruner : IPruner
{
    private readonly SuccessiveHalvingOptions _options;

    public SuccessiveHalvingPruner(SuccessiveHalvingOptions? options = null)
    {
        _options = options ?? new SuccessiveHalvingOptions();
        if (_options.MinResource is < 1)
        {
            throw new ArgumentException($"pruner: min_resource must be at least 1 or 'auto', not {_options.MinResource}.");
        }
        if (_options.ReductionFactor < 2)
        {
            throw new ArgumentException($"pruner: reduction_factor must be at least 2, not {_options.ReductionFactor}.");
        }
        if (_options.MinEarlyStoppingRate < 0 || _options.BootstrapCount < 0)
        {
            throw new ArgumentException("pruner: min_early_stopping_rate and bootstrap_count must be 0 or more.");
        }
        if (_options.BootstrapCount > 0 && _options.MinResource is null)
        {
            throw new ArgumentException("pruner: bootstrap_count > 0 needs a fixed min_resource, not 'auto'.");
        }
    }

    public static string RungKey(int rung) => "completed_rung_" + rung.ToString(CultureInfo.InvariantCulture);

    public PruneDecision ShouldPrune(StudyView study, FrozenTrial trial)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        if (trial.LastStep is not { } step)
        {
            return PruneDecision.Keep;
        }
        var minResource = _options.MinResource ?? EstimateMinResource(study);
        if (minResource is not { } r)
        {
            return PruneDecision.Keep;
        }
        var rung = CurrentRung(trial);
        var value = trial.IntermediateValues[step];
        var attrs = new Dictionary<string, string>();
        var maximize = study.Direction == StudyDirection.Maximize;
        while (true)
        {
            var promotionStep = r * Math.Pow(_options.ReductionFactor, _options.MinEarlyStoppingRate + rung);
            if (step < promotionStep)
            {
                return new PruneDecision(false, attrs);
            }
            if (double.IsNaN(value))
            {
                return new PruneDecision(true, attrs);
            }
            var key = RungKey(rung);
            attrs[key] = value.ToString("R", CultureInfo.InvariantCulture);
            var competing = new List<double>();
            foreach (var t in study.Trials)
            {
                if (t.Number != trial.Number && t.SystemAttrs.TryGetValue(key, out var text))
                {
                    competing.Add(double.Parse(text, CultureInfo.InvariantCulture));
                }
            }
            competing.Add(value);
            if (competing.Count <= _options.BootstrapCount || !IsPromotable(value, competing, _options.ReductionFactor, maximize))
            {
                return new PruneDecision(true, attrs);
            }
            rung++;
        }
    }

    /// <summary>Whether the value is among the best max(⌊n/η⌋, 1) of the n competing values.</summary>
    internal static bool IsPromotable(double value, List<double> competing, int reductionFactor, bool maximize)
    {
        var k = Math.Max(competing.Count / reductionFactor, 1);
        competing.Sort();
        return maximize ? value >= competing[^k] : value <= competing[k - 1];
    }

    private static int? EstimateMinResource(StudyView study)
    {
        var steps = study.TrialsIn(TrialState.Complete).Select(t => t.LastStep).OfType<int>().ToList();
        return steps.Count == 0 ? null : Math.Max(steps.Max() / 100, 1);
    }

    private static int CurrentRung(FrozenTrial trial)
    {
        var rung = 0;
        while (trial.SystemAttrs.ContainsKey(RungKey(rung)))
        {
            rung++;
        }
        return rung;
    }
}
