namespace Fathom.Tuning;

/// <summary>Optuna's trial states, with the same numbers (<c>RUNNING=0 … WAITING=4</c>).</summary>
internal enum TrialState
{
    Running = 0,
    Complete = 1,
    Pruned = 2,
    Failed = 3,
    Waiting = 4,
}

/// <summary>Direction of one objective.</summary>
internal enum StudyDirection
{
    Minimize,
    Maximize,
}
