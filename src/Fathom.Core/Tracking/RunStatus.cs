namespace Fathom.Tracking;

/// <summary>The status of a run; the names and numbers are MLflow's <c>RunStatus</c> enum.</summary>
public enum RunStatus
{
    /// <summary>The run is in progress.</summary>
    Running = 1,

    /// <summary>The run is scheduled but has not started.</summary>
    Scheduled = 2,

    /// <summary>The run completed.</summary>
    Finished = 3,

    /// <summary>The run failed.</summary>
    Failed = 4,

    /// <summary>The run was stopped before it completed.</summary>
    Killed = 5,
}
