namespace Fathom.Jobs;

/// <summary>
/// A run's status, Polyaxon's lifecycle (§10 of the spec): created → queued → scheduled → starting → running →
/// succeeded | failed | stopped, with retrying between attempts, stopping on the way to stopped, and upstream_failed
/// and skipped for DAG operations that never ran. Stored and shown by <see cref="JobStatuses.Name"/>.
/// </summary>
internal enum JobStatus
{
    Created,
    Compiled,
    Queued,
    Scheduled,
    Starting,
    Running,
    Retrying,
    Stopping,
    Succeeded,
    Failed,
    Stopped,
    UpstreamFailed,
    Skipped,
}

/// <summary>Names and groups of <see cref="JobStatus"/>, and the moves between statuses the store allows.</summary>
internal static class JobStatuses
{
    private static readonly string[] Names =
    [
        "created", "compiled", "queued", "scheduled", "starting", "running", "retrying", "stopping", "succeeded", "failed",
        "stopped", "upstream_failed", "skipped",
    ];

    public static string Name(this JobStatus status) => Names[(int)status];

    public static JobStatus Parse(string name)
    {
        var index = Array.IndexOf(Names, name);
        return index >= 0 ? (JobStatus)index : throw new FormatException($"'{name}' is not a run status; one of {string.Join(", ", Names)}.");
    }

    /// <summary>Final: nothing changes a run in these.</summary>
    public static bool IsDone(this JobStatus status) =>
        status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Stopped or JobStatus.UpstreamFailed or JobStatus.Skipped;

    /// <summary>Polyaxon's running group: the first of these sets <c>started_at</c>.</summary>
    public static bool IsRunning(this JobStatus status) =>
        status is JobStatus.Scheduled or JobStatus.Starting or JobStatus.Running;

    /// <summary>
    /// Whether a run in <paramref name="from"/> may move to <paramref name="to"/>: never out of a final status, never back
    /// to created, and only forward through the lifecycle except through retrying (a new attempt) and stopping.
    /// </summary>
    public static bool CanMove(JobStatus from, JobStatus to)
    {
        if (from.IsDone() || to == JobStatus.Created)
        {
            return false;
        }

        return to switch
        {
            JobStatus.Stopping or JobStatus.Stopped or JobStatus.Failed or JobStatus.UpstreamFailed or JobStatus.Skipped => true,
            JobStatus.Retrying => from is JobStatus.Running or JobStatus.Starting or JobStatus.Scheduled,
            _ when from == JobStatus.Retrying => to is JobStatus.Queued or JobStatus.Scheduled or JobStatus.Starting,
            _ when from == JobStatus.Stopping => false,
            _ => to > from,
        };
    }
}
