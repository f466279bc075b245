using Fathom.Jobs;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>What the job commands decide the same way: the project, the agent configuration, the executor.</summary>
internal static class JobHosting
{
    public const string AgentVariable = "FATHOM_AGENT_CONFIG";
    public const string ProjectVariable = "FATHOM_PROJECT";

    public static string Project(CliContext cli, string? given) => given ?? cli.Host.Environment(ProjectVariable) ?? "default";

    /// <summary><c>--agent</c>, else <c>$FATHOM_AGENT_CONFIG</c>, else <c>agent.yaml</c> in the store's folder if present, else the defaults.</summary>
    public static AgentConfig Agent(CliContext cli, string? given)
    {
        var localFolder = cli.Location.LocalFolder;
        var path = given ?? cli.Host.Environment(AgentVariable);
        if (path is not null)
        {
            return AgentConfig.Read(Path.GetFullPath(path, cli.Host.WorkingDirectory()), localFolder);
        }

        var beside = Path.Combine(localFolder, "agent.yaml");
        return File.Exists(beside) ? AgentConfig.Read(beside, localFolder) : AgentConfig.Default(localFolder);
    }

    /// <summary>The executor <c>--executor</c> names; a dry run without podman or docker shows podman's command line.</summary>
    public static IJobExecutor Executor(CliContext cli, string name, AgentConfig agent, bool dryRun) => name switch
    {
        "container" => ContainerExecutor.Create(agent, cli.Host.Environment)
            ?? (dryRun ? ContainerExecutor.Create(agent, v => v == ContainerExecutor.RuntimeVariable ? "podman" : cli.Host.Environment(v)) : null)
            ?? throw new CliInputException("--executor container: neither podman nor docker is on PATH; install one, or name it with container.runtime in the agent configuration (or $FATHOM_CONTAINER_RUNTIME)."),
        "kubernetes" => KubernetesExecutor.FromDefaultConfig(),
        _ => new LocalProcessExecutor(),
    };
}
