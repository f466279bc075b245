namespace Fathom.Tracking;

/// <summary>Converts run statuses to and from MLflow's upper-case wire names.</summary>
public static class RunStatusNames
{
    /// <summary>The wire name, e.g. <c>FINISHED</c>.</summary>
    public static string ToWire(this RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Scheduled => "SCHEDULED",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        RunStatus.Killed => "KILLED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    /// <summary>Parses a wire name (case-insensitive); null when it is not a status.</summary>
    public static RunStatus? Parse(string? name) => name?.ToUpperInvariant() switch
    {
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => null,
    };

    /// <summary>True for the statuses a run ends in.</summary>
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Finished or RunStatus.Failed or RunStatus.Killed;
}
