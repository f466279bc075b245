using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Tracking;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom experiments list|create|delete|restore</c>.</summary>
internal static class ExperimentsCommand
{
    public static Command Create()
    {
        var command = new Command("experiments", "List and manage experiments.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(CreateExperiment());
        command.Subcommands.Add(SetStage("delete", "Delete an experiment and its runs (restorable).", (s, id, ct) => s.DeleteExperimentAsync(id, ct)));
        command.Subcommands.Add(SetStage("restore", "Restore a deleted experiment and its runs.", (s, id, ct) => s.RestoreExperimentAsync(id, ct)));
        return command;
    }

    private static Command List()
    {
        var all = new Option<bool>("--all") { Description = "Include deleted experiments." };
        var command = new Command("list", "List experiments.") { all };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var experiments = await tracking.Store.ListExperimentsAsync(parse.GetValue(all) ? ViewType.All : ViewType.ActiveOnly, ct);
            if (cli.Json)
            {
                cli.WriteJson(new { experiments = experiments.Select(TrackingJson.Experiment) });
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("ID", "Name", "Stage", "Created", "Artifact location");
            foreach (var e in experiments)
            {
                table.AddRow(e.ExperimentId, Markup.Escape(e.Name), e.LifecycleStage, Format.Time(e.CreationTime), Markup.Escape(e.ArtifactLocation));
            }

            cli.Out.Write(table);
            return ExitCodes.Success;
        });
    }

    private static Command CreateExperiment()
    {
        var name = new Argument<string>("name") { Description = "The experiment's name (unique)." };
        var location = new Option<string?>("--artifact-location") { Description = "Artifact root URI for its runs." };
        var command = new Command("create", "Create an experiment; prints its id.") { name, location };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var id = await tracking.Store.CreateExperimentAsync(parse.GetValue(name)!, parse.GetValue(location), [], ct);
            if (cli.Json)
            {
                cli.WriteJson(new { experiment_id = id });
            }
            else
            {
                cli.Out.WriteLine(id);
            }

            return ExitCodes.Success;
        });
    }

    private static Command SetStage(string verb, string description, Func<ITrackingStore, string, CancellationToken, Task> change)
    {
        var id = new Argument<string>("experiment") { Description = "Experiment id or name." };
        var command = new Command(verb, description) { id };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var experiment = await Lookup.ExperimentAsync(tracking.Store, parse.GetValue(id)!, ct);
            await change(tracking.Store, experiment.ExperimentId, ct);
            cli.Human.MarkupLine($"Experiment [bold]{Markup.Escape(experiment.Name)}[/] ({experiment.ExperimentId}): {verb}d.");
            return ExitCodes.Success;
        });
    }
}
