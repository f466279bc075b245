using System.IO.Hashing;
using System.Text;

namespace Fathom.Tuning;

/// <summary>Options of <see cref="HyperbandPruner"/> (Optuna's defaults); <paramref name="MaxResource"/> null means "auto".</summary>
internal sealed record HyperbandOptions(int MinResource = 1, int? MaxResource = null, int ReductionFactor = 3, int BootstrapCount = 0);

/// <summary>
/// Hyperband (Li et al. 2018, as Optuna's <c>HyperbandPruner</c>): B = ⌊log_η(max/min resource)⌋ + 1 brackets, bracket
/// b a successive-halving pruner with early-stopping rate b; a trial's bracket comes from
/// <c>crc32("{study}_{number}")</c> modulo the total budget Σ⌈B·η^s/(s+1)⌉ walked over the brackets' budgets; each
/// bracket ranks only its own trials. "auto" max resource is the longest complete trial's last step + 1, so nothing is
/// pruned before a trial completed. <see cref="BracketStudy"/> gives a sampler the same per-bracket history.
/// </summary>
internal sealed class HyperbandPruner : IPruner
{
    private readonly HyperbandOptions _options;

    public HyperbandPruner(HyperbandOptions? options = null)
    {
        _options = options ?? new HyperbandOptions();
        if (_options.MinResource < 1 || _options.MaxResource is < 1 || _options.ReductionFactor < 2)
        {
            throw new ArgumentException("pruner: hyperband needs min_resource >= 1, max_resource >= 1 or 'auto', reduction_factor >= 2.");
        }
        if (_options.BootstrapCount > 0 && _options.MaxResource is null)
        {
            throw new ArgumentException("pruner: bootstrap_count > 0 needs a fixed max_resource, not 'auto'.");
        }
    }

    public PruneDecision ShouldPrune(StudyView study, FrozenTrial trial)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        if (Budgets(study) is not { } budgets)
        {
            return PruneDecision.Keep;
        }
        var bracket = Bracket(study.Name, trial.Number, budgets);
        var pruner = new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(
            _options.MinResource, _options.ReductionFactor, bracket, _options.BootstrapCount));
        return pruner.ShouldPrune(Restrict(study, budgets, bracket), trial);
    }

    /// <summary>The study as a sampler should see it for this trial: only the trials of the trial's bracket.</summary>
    public StudyView BracketStudy(StudyView study, int trialNumber)
    {
        ArgumentNullException.ThrowIfNull(study);
        return Budgets(study) is { } budgets ? Restrict(study, budgets, Bracket(study.Name, trialNumber, budgets)) : study;
    }

    /// <summary>Each bracket's trial budget ⌈B·η^s/(s+1)⌉, s = B − 1 − b; null while "auto" has nothing to go on.</summary>
    public int[]? Budgets(StudyView study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var maxResource = _options.MaxResource
            ?? study.TrialsIn(TrialState.Complete).Select(t => t.LastStep).OfType<int>().DefaultIfEmpty(-1).Max() + 1;
        if (maxResource <= 0)
        {
            return null;
        }
        var eta = _options.ReductionFactor;
        var brackets = (int)Math.Floor(Math.Log((double)maxResource / _options.MinResource) / Math.Log(eta) + 1e-12) + 1;
        brackets = Math.Max(brackets, 1);
        var budgets = new int[brackets];
        for (var b = 0; b < brackets; b++)
        {
            var s = brackets - 1 - b;
            budgets[b] = (int)Math.Ceiling(brackets * Math.Pow(eta, s) / (s + 1));
        }
        return budgets;
    }

    /// <summary>The bracket of a trial: crc32 of "{study}_{number}" modulo the total budget, walked over the budgets.</summary>
    public static int Bracket(string studyName, int trialNumber, IReadOnlyList<int> budgets)
    {
        ArgumentNullException.ThrowIfNull(studyName);
        ArgumentNullException.ThrowIfNull(budgets);
        var hash = Crc32.HashToUInt32(Encoding.UTF8.GetBytes($"{studyName}_{trialNumber}"));
        var n = (long)(hash % (uint)budgets.Sum());
        for (var b = 0; b < budgets.Count; b++)
        {
            n -= budgets[b];
            if (n < 0)
            {
                return b;
            }
        }
        return budgets.Count - 1;
    }

    private static StudyView Restrict(StudyView study, int[] budgets, int bracket) =>
        study with { Trials = [.. study.Trials.Where(t => Bracket(study.Name, t.Number, budgets) == bracket)] };
}
