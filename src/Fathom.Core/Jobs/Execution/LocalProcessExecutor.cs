namespace Fathom.Jobs;

/// <summary>
/// Runs the main container's command and args as a process on this machine, with no container: in the container's
/// working dir, with the run's environment added to Fathom's own. What needs a container (the image, resources, volume
/// mounts, scheduling) is not applied, and said so before the run; connections and the artifacts store are the host
/// folders the agent configuration names, so <c>globals.run_outputs_path</c> is a real folder the job can write.
/// </summary>
internal sealed class LocalProcessExecutor : IJobExecutor
{
    public string Name => "local";

    public string ArtifactsPath(AgentConfig agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return agent.ArtifactsStore.LocalPath!;
    }

    public IReadOnlyList<string> Notes(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var notes = new List<string>();
        var container = launch.Job.Container!;
        if (container.Image is { } image)
        {
            notes.Add($"the local executor runs the command on this machine; image {image} is not used (--executor container runs it).");
        }

        if (container.Resources is { } resources && (resources.Limits.Count > 0 || resources.Requests.Count > 0))
        {
            notes.Add("resources (cpu, memory, gpu) are not limited for a local process.");
        }

        foreach (var mount in container.VolumeMounts)
        {
            var host = launch.Agent.Volumes.GetValueOrDefault(mount.Name);
            notes.Add(host is null
                ? $"volume {mount.Name} is not mounted at {mount.MountPath} for a local process."
                : $"volume {mount.Name} is not mounted at {mount.MountPath} for a local process; its host folder is {host}.");
        }

        foreach (var name in launch.Job.Run.Connections)
        {
            var connection = launch.Agent.Connection(name);
            notes.Add(connection?.LocalPath is { } path
                ? $"connection {name}: host folder {path}."
                : $"connection {name} has no host folder in the agent configuration{(launch.Agent.File is null ? " (none given: --agent FILE)" : $" ({launch.Agent.File})")}; the job sees this machine's folders as they are.");
        }

        foreach (var env in container.Env.Where(e => e.ValueFrom is not null))
        {
            notes.Add($"env {env.Name} comes from valueFrom (a secret or config map), which a local run cannot read; it is not set.");
        }

        return notes;
    }

    public IReadOnlyList<string> CommandLine(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var container = launch.Job.Container!;
        var argv = container.Command.Concat(container.Args).ToList();
        return argv.Count > 0
            ? argv
            : throw new Config.ConfigException(new Config.SourcePosition(launch.Job.File, 0, 0), "run.container",
                "has no command or args; a local run needs a command (the image's entrypoint is not available without a container).");
    }

    public Task<int> RunAsync(JobLaunch launch, Action<string> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var directory = WorkingDirectory(launch);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"run.container.workingDir: '{directory}' does not exist on this machine.");
        }

        return ProcessTree.RunAsync(CommandLine(launch), directory, launch.Environment, output, cancellationToken);
    }

    /// <summary>The container's working dir (relative to where fathom runs), else the current directory.</summary>
    public static string WorkingDirectory(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return launch.Job.Container?.WorkingDir is { Length: > 0 } dir ? Path.GetFullPath(Path.Combine(launch.CurrentDirectory, dir)) : launch.CurrentDirectory;
    }
}
