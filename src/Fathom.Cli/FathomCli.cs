using System.CommandLine;
using Fathom.Cli.Commands;
using Fathom.Cli.Commands.Data;
using Fathom.Cli.Commands.Pipelines;
using Fathom.Diagnostics;

namespace Fathom.Cli;

/// <summary>The <c>fathom</c> command tree.</summary>
internal static class FathomCli
{
    private const string Description = "Fathom: data versioning, tracked training, tuning, registry and serving for ML teams.";

    public static RootCommand Build(CliHost host)
    {
        var root = new FathomRootCommand(Description, host);
        root.Options.Add(GlobalOptions.Store);
        root.Options.Add(GlobalOptions.Json);
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(PrepCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(Commands.Monitoring.MonitorCommand.Create());
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(ExperimentsCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(Commands.Endpoints.EndpointsCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(ReproCommand.Create());
        root.Subcommands.Add(DagCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(ParamsCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(PlotsCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(Commands.Jobs.RunCommand.Create());
        root.Subcommands.Add(Commands.Jobs.ProjectsCommand.Create());
        root.Subcommands.Add(Commands.Jobs.SecretCommand.Create());
        root.Subcommands.Add(Commands.Jobs.OpsCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        return root;
    }

    /// <summary>
    /// A tree with one top-level command for the quick commands (<c>data …</c>, <c>repro</c>): a no-change
    /// <c>data status</c> must finish in well under 0.15 s and <c>repro</c> in 0.2 s, and building every command (and
    /// loading the assemblies they touch) costs a large part of that.
    /// </summary>
    public static RootCommand BuildOnly(Command command, CliHost host)
    {
        var root = new FathomRootCommand(Description, host);
        root.Options.Add(GlobalOptions.Store);
        root.Options.Add(GlobalOptions.Json);
        root.Subcommands.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        StartupTrace.Mark("main");
        // The composition root: the store kinds and artifact stores of this process, made once, here.
        var host = CliHost.FromProcess();
        var root = args switch
        {
            ["data", .. var rest] => BuildOnly(DataCommand.Create(rest.Length > 0 ? rest[0] : null), host),
            ["repro", ..] => BuildOnly(ReproCommand.Create(), host),
            // A job's time to start counts what fathom run loads before it (target: under 200 ms from submission).
            ["run", ..] => BuildOnly(Commands.Jobs.RunCommand.Create(), host),
            _ => Build(host),
        };

        StartupTrace.Mark("command tree built");
        var parsed = root.Parse(args);
        StartupTrace.Mark("parsed");
        // On Ctrl-C or SIGTERM the command's token is cancelled and the process waits this long for it to finish (else it
        // exits 130 at once): a job run must stop its process tree and record "stopped", which on a loaded machine takes
        // more than the default two seconds.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = args is ["run", ..] ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2) };
        var code = await parsed.InvokeAsync(invocation);
        StartupTrace.Mark("done");
        return code;
    }
}
