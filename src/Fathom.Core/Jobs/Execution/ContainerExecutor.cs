using System.Globalization;

namespace Fathom.Jobs;

/// <summary>
/// Runs the main container with podman or docker (the agent's <c>container.runtime</c>, else the first on PATH):
/// Kubernetes' command as the entrypoint and args after it, workingDir, env, resource limits, the artifacts store and
/// each connection mounted where the agent configuration says, run.volumes from the agent's host folders (hostPath as
/// written, emptyDir as a tmpfs), imagePullPolicy as <c>--pull</c>. The runtime's global flags and run flags come from
/// the agent configuration, else from <c>$FATHOM_CONTAINER_FLAGS</c> and <c>$FATHOM_CONTAINER_RUN_FLAGS</c> (podman
/// inside a container needs <c>--runtime runc --cgroup-manager cgroupfs</c> and ulimits its host allows; no machine's
/// needs are written here). Stopping removes the container as well as the client process.
/// </summary>
internal sealed class ContainerExecutor(string runtime, IReadOnlyList<string> flags, IReadOnlyList<string> runFlags) : IJobExecutor
{
    /// <summary>The runtime's global flags (before <c>run</c>) when the agent configuration gives none; split at white space.</summary>
    public const string FlagsVariable = "FATHOM_CONTAINER_FLAGS";

    /// <summary>Flags after <c>run</c> when the agent configuration gives none; split at white space.</summary>
    public const string RunFlagsVariable = "FATHOM_CONTAINER_RUN_FLAGS";

    /// <summary>The runtime when the agent configuration names none.</summary>
    public const string RuntimeVariable = "FATHOM_CONTAINER_RUNTIME";

    private static readonly string[] Runtimes = ["podman", "docker"];

    public ContainerExecutor(string runtime)
        : this(runtime, [], [])
    {
    }

    public string Name => "container";

    public string Runtime { get; } = runtime;

    /// <summary>Global flags of the runtime, before <c>run</c> (and <c>rm</c>).</summary>
    public IReadOnlyList<string> Flags { get; } = flags;

    /// <summary>Flags of <c>run</c>, before the job's own.</summary>
    public IReadOnlyList<string> RunFlags { get; } = runFlags;

    /// <summary>
    /// The executor the agent configuration and the environment describe: its runtime (<see cref="FindRuntime"/>) and
    /// flags (the agent's, else the variables'); null when no runtime is named or on PATH.
    /// </summary>
    public static ContainerExecutor? Create(AgentConfig agent, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(environment);
        if (FindRuntime(agent, environment) is not { } found)
        {
            return null;
        }

        IReadOnlyList<string> Split(IReadOnlyList<string> given, string variable) =>
            given.Count > 0 ? given : (environment(variable) ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return new ContainerExecutor(found, Split(agent.ContainerFlags, FlagsVariable), Split(agent.ContainerRunFlags, RunFlagsVariable));
    }

    /// <summary>The runtime the agent names, else podman or docker, whichever is on PATH first; null when neither is.</summary>
    public static string? FindRuntime(AgentConfig agent, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(environment);
        if ((agent.ContainerRuntime ?? environment(RuntimeVariable)) is { Length: > 0 } named)
        {
            return named;
        }

        var path = environment("PATH") ?? "";
        return Runtimes.FirstOrDefault(name => path.Split(Path.PathSeparator).Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, name))));
    }

    public string ArtifactsPath(AgentConfig agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return agent.ArtifactsStore.MountPath ?? AgentConfig.DefaultArtifactsMount;
    }

    public IReadOnlyList<string> Notes(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var notes = new List<string>();
        foreach (var name in launch.Job.Run.Connections)
        {
            if (launch.Agent.Connection(name) is not { LocalPath: not null, MountPath: not null })
            {
                notes.Add($"connection {name} has no host folder and mount path in the agent configuration; it is not mounted.");
            }
        }

        foreach (var volume in launch.Job.Run.Volumes.Where(v => v.SourceKind is not ("hostPath" or "emptyDir") && !launch.Agent.Volumes.ContainsKey(v.Name)))
        {
            notes.Add($"volume {volume.Name} ({volume.SourceKind}) has no host folder in the agent configuration (volumes: {{{volume.Name}: FOLDER}}); it is not mounted.");
        }

        foreach (var env in launch.Job.Container!.Env.Where(e => e.ValueFrom is not null))
        {
            notes.Add($"env {env.Name} comes from valueFrom (a secret or config map), which only Kubernetes resolves; it is not set.");
        }

        if (launch.Job.Run.Environment is { } environment && (environment.NodeSelector.Count > 0 || environment.Tolerations.Count > 0))
        {
            notes.Add("nodeSelector and tolerations only apply on Kubernetes.");
        }

        return notes;
    }

    public IReadOnlyList<string> CommandLine(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var container = launch.Job.Container!;
        var image = container.Image ?? throw new Config.ConfigException(new Config.SourcePosition(launch.Job.File, 0, 0), "run.container.image", "is required to run in a container.");
        var argv = new List<string> { Runtime };
        argv.AddRange(Flags);
        argv.AddRange(["run", "--rm", "--name", ContainerName(launch)]);
        argv.AddRange(RunFlags);
        if (container.ImagePullPolicy is { } policy)
        {
            argv.Add("--pull=" + policy switch { "Always" => "always", "Never" => "never", _ => "missing" });
        }

        if (container.WorkingDir is { Length: > 0 } dir)
        {
            argv.AddRange(["--workdir", dir]);
        }

        foreach (var (key, value) in launch.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            argv.AddRange(["--env", $"{key}={value}"]);
        }

        var store = launch.Agent.ArtifactsStore;
        argv.AddRange(["--volume", $"{store.LocalPath}:{ArtifactsPath(launch.Agent)}"]);
        foreach (var name in launch.Job.Run.Connections)
        {
            if (launch.Agent.Connection(name) is { LocalPath: { } host, MountPath: { } mount } connection && connection != store)
            {
                argv.AddRange(["--volume", $"{host}:{mount}{(connection.ReadOnly ? ":ro" : "")}"]);
            }
        }

        foreach (var mount in container.VolumeMounts)
        {
            var volume = launch.Job.Run.Volumes.First(v => v.Name == mount.Name);
            var suffix = mount.ReadOnly ? ":ro" : "";
            if (volume.SourceKind == "emptyDir")
            {
                argv.AddRange(["--tmpfs", mount.MountPath]);
            }
            else if (launch.Agent.Volumes.TryGetValue(volume.Name, out var host))
            {
                argv.AddRange(["--volume", $"{SubPath(host, mount.SubPath)}:{mount.MountPath}{suffix}"]);
            }
            else if (volume.SourceKind == "hostPath" && volume.Source is Config.ConfigMap hostPath && hostPath.TryGet("path") is Config.ConfigScalar { Value: string path })
            {
                argv.AddRange(["--volume", $"{SubPath(path, mount.SubPath)}:{mount.MountPath}{suffix}"]);
            }
        }

        if (container.Resources?.Limits is { } limits)
        {
            if (limits.TryGetValue("cpu", out var cpu) && Cpus(cpu) is { } cpus)
            {
                argv.Add("--cpus=" + cpus);
            }

            if (limits.TryGetValue("memory", out var memory) && Bytes(memory) is { } bytes)
            {
                argv.Add("--memory=" + bytes.ToString(CultureInfo.InvariantCulture));
            }

            if (limits.TryGetValue("nvidia.com/gpu", out var gpus))
            {
                argv.AddRange(Runtime.EndsWith("podman", StringComparison.Ordinal) ? ["--device", "nvidia.com/gpu=all"] : ["--gpus", gpus]);
            }
        }

        // Kubernetes' command replaces the image's entrypoint and args its command, so the entrypoint is command[0] and
        // the rest of command goes before args.
        if (container.Command.Count > 0)
        {
            argv.AddRange(["--entrypoint", container.Command[0]]);
        }

        argv.Add(image);
        argv.AddRange(container.Command.Skip(1));
        argv.AddRange(container.Args);
        return argv;
    }

    public async Task<int> RunAsync(JobLaunch launch, Action<string> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        Directory.CreateDirectory(launch.Agent.ArtifactsStore.LocalPath!);
        try
        {
            return await ProcessTree.RunAsync(CommandLine(launch), launch.CurrentDirectory, new Dictionary<string, string>(), output, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Killing the client does not stop the container it started.
            await ProcessTree.RunAsync(RemoveCommand(launch), launch.CurrentDirectory, new Dictionary<string, string>(), _ => { }, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The command that stops and removes the run's container (a killed client leaves it running).</summary>
    public IReadOnlyList<string> RemoveCommand(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return [Runtime, .. Flags, "rm", "--force", ContainerName(launch)];
    }

    /// <summary>The container's name: the run's uuid, so a stop (or a server started again) finds it.</summary>
    public static string ContainerName(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return "fathom-" + launch.Uuid;
    }

    private static string SubPath(string host, string? subPath) => subPath is { Length: > 0 } ? Path.Combine(host, subPath) : host;

    // Kubernetes quantities: "2", "2.5", "500m" cores.
    private static string? Cpus(string quantity) =>
        quantity.EndsWith('m') && double.TryParse(quantity[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var milli)
            ? (milli / 1000).ToString(CultureInfo.InvariantCulture)
            : double.TryParse(quantity, NumberStyles.Float, CultureInfo.InvariantCulture, out var cores) ? cores.ToString(CultureInfo.InvariantCulture) : null;

    // Kubernetes quantities: 4Gi, 512Mi, 1G, 100k, plain bytes.
    public static long? Bytes(string quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        var units = new (string Suffix, double Factor)[]
        {
            ("Ki", 1024), ("Mi", 1024 * 1024), ("Gi", 1024.0 * 1024 * 1024), ("Ti", 1024.0 * 1024 * 1024 * 1024),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("", 1),
        };
        foreach (var (suffix, factor) in units)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(quantity[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return (long)(number * factor);
            }
        }

        return null;
    }
}
