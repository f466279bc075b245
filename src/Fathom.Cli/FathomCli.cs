using System.CommandLine;
using Fathom.Cli.Commands;
using Fathom.Cli.Commands.Data;

namespace Fathom.Cli;

/// <summary>The <c>fathom</c> command tree.</summary>
internal static class FathomCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Fathom: data versioning, tracked training, tuning, registry and serving for ML teams.");
        root.Options.Add(GlobalOptions.Store);
        root.Options.Add(GlobalOptions.Json);
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(PrepCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(ExperimentsCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // The composition root: optional backends register their URI schemes once, here.
        Tracking.PostgresTrackingStores.Register();
        return await Build().Parse(args).InvokeAsync();
    }
}
