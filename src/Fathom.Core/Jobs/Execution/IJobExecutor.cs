namespace Fathom.Jobs;

/// <summary>
/// Runs one attempt of a compiled job somewhere: a local process, a container (podman or docker), later a Kubernetes
/// pod. The runner (<see cref="JobRunner"/>) owns the lifecycle, records, retries and timeouts; an executor says how the
/// job sees its paths, what it will run, and runs it until it exits or the token asks it to stop (then it stops the
/// whole job — the process tree, the container — before it returns).
/// </summary>
internal interface IJobExecutor
{
    /// <summary>The name recorded with the run and given to <c>--executor</c>.</summary>
    string Name { get; }

    /// <summary>Where the job sees the artifacts store (<c>globals.artifacts_path</c>): a host folder, or a mount point.</summary>
    string ArtifactsPath(AgentConfig agent);

    /// <summary>What this executor does not honour in the spec (the image of a local run…), said before it runs.</summary>
    IReadOnlyList<string> Notes(JobLaunch launch);

    /// <summary>The exact command line it runs (for <c>--dry-run</c> and the record).</summary>
    IReadOnlyList<string> CommandLine(JobLaunch launch);

    /// <summary>Runs one attempt; each line the job prints goes to <paramref name="output"/>. Returns the exit code.</summary>
    Task<int> RunAsync(JobLaunch launch, Action<string> output, CancellationToken cancellationToken);
}

/// <summary>
/// One run as an executor gets it: the compiled job, the environment it adds (Fathom's and Polyaxon's variables, the
/// container's env, inputs with toEnv), the agent's mappings, and the host folders of the run's artifacts.
/// </summary>
internal sealed record JobLaunch(
    string Uuid,
    CompiledJob Job,
    IReadOnlyDictionary<string, string> Environment,
    AgentConfig Agent,
    string HostRunFolder,
    string CurrentDirectory)
{
    public string HostOutputsFolder => Path.Combine(HostRunFolder, "outputs");

    public string LogFile => Path.Combine(HostRunFolder, "logs", "main.log");
}
