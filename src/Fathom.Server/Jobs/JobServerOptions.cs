namespace Fathom.Jobs;

/// <summary>
/// How <c>fathom server</c> runs jobs from its queue: how many at once per project and per executor, how often the
/// queue is looked at when nothing wakes it, and how long a stopped job has between SIGTERM and SIGKILL.
/// </summary>
internal sealed class JobServerOptions
{
    /// <summary>Runs of one project running at once; the rest wait in the queue, oldest first.</summary>
    public int MaxRunningPerProject { get; init; } = 4;

    /// <summary>Runs of one executor running at once (the local executor shares this machine's cores).</summary>
    public int MaxRunningPerExecutor { get; init; } = 8;

    /// <summary>How often the dispatcher looks at the queue when no submission wakes it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a running job's exit file and a followed log are looked at.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Between SIGTERM to a stopped job's process group and SIGKILL.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The agent configuration; null: <c>agent.yaml</c> in the store's folder if present, else the defaults.</summary>
    public string? AgentFile { get; init; }

    public void Validate()
    {
        if (MaxRunningPerProject < 1)
        {
            throw new ArgumentException($"--max-runs-per-project: at least 1 (got {MaxRunningPerProject}).");
        }

        if (MaxRunningPerExecutor < 1)
        {
            throw new ArgumentException($"--max-runs-per-executor: at least 1 (got {MaxRunningPerExecutor}).");
        }
    }
}
