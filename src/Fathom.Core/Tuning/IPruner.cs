namespace Fathom.Tuning;

/// <summary>
/// A pruner (Optuna's <c>BasePruner</c>): after the running trial reported an intermediate value, should it stop?
/// Pure over the study view; state a pruner keeps (successive halving's rungs) comes back as system attributes
/// that the driver records on the trial before the next call.
/// </summary>
internal interface IPruner
{
    PruneDecision ShouldPrune(StudyView study, FrozenTrial trial);
}

/// <summary>The pruner's answer and the system attributes to record on the trial.</summary>
internal sealed record PruneDecision(bool Prune, IReadOnlyDictionary<string, string> SystemAttrs)
{
    private static readonly Dictionary<string, string> None = [];

    public static readonly PruneDecision Keep = new(false, None);
    public static readonly PruneDecision Stop = new(true, None);

    public static PruneDecision Of(bool prune) => prune ? Stop : Keep;
}

/// <summary>Never prunes (Optuna's <c>NopPruner</c>).</summary>
internal sealed class NopPruner : IPruner
{
    public PruneDecision ShouldPrune(StudyView study, FrozenTrial trial) => PruneDecision.Keep;
}
