using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Registry;
using Fathom.Tracking;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom models list|search|show|register|stage|alias|history|rollback</c>: the model registry of the tracking store or server.</summary>
internal static partial class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Register models and manage their versions, stages and aliases (MLflow's model registry).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Search());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Register());
        command.Subcommands.Add(Stage());
        command.Subcommands.Add(Alias());
        command.Subcommands.Add(History());
        command.Subcommands.Add(Rollback());
        return command;
    }

    private static Command List()
    {
        var filter = new Option<string?>("--filter", "-f") { Description = "Filter on name and tags, e.g. \"name LIKE 'churn%' AND tags.team = 'nlp'\"." };
        var max = new Option<int>("--max") { Description = "At most this many models (1-1000).", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List registered models with their latest versions and aliases.") { filter, max };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var page = await ModelRegistries.Of(tracking.Store).SearchRegisteredModelsAsync(new RegistrySearch(parse.GetValue(filter), MaxResults: parse.GetValue(max)), ct);
            if (cli.Json)
            {
                cli.WriteJson(new { registered_models = page.Models.Select(RegistryJson.Model) });
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Name", "Latest versions", "Aliases", "Updated (UTC)", "Description");
            foreach (var m in page.Models)
            {
                table.AddRow(
                    Markup.Escape(m.Name),
                    Markup.Escape(string.Join(", ", m.LatestVersions.OrderByDescending(v => v.Version).Select(v => $"v{v.Version} {v.CurrentStage}"))),
                    Markup.Escape(string.Join(", ", m.Aliases.Select(a => $"@{a.Alias}=v{a.Version}"))),
                    Format.Time(m.LastUpdatedTimestamp),
                    Markup.Escape(m.Description ?? ""));
            }

            cli.Out.Write(table);
            MoreHint(cli, page.NextPageToken);
            return ExitCodes.Success;
        });
    }

    private static Command Search()
    {
        var filter = new Argument<string>("filter") { Description = "MLflow's model-version filter, e.g. \"name = 'churn' AND version_number > 2\", \"run_id IN ('a', 'b')\", \"tags.validated = 'yes'\"." };
        var orderBy = new Option<string[]>("--order-by", "-o") { Description = "Order keys: name, version_number, creation_timestamp, last_updated_timestamp [ASC|DESC] (repeatable).", AllowMultipleArgumentsPerToken = true };
        var max = new Option<int>("--max") { Description = "At most this many versions.", DefaultValueFactory = _ => 100 };
        var command = new Command("search", "Find model versions with MLflow's search grammar (name, run_id, source_path, version_number, tags.).") { filter, orderBy, max };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var page = await ModelRegistries.Of(tracking.Store).SearchModelVersionsAsync(
                new RegistrySearch(parse.GetValue(filter), parse.GetValue(orderBy), parse.GetValue(max)), ct);
            return RenderVersions(cli, page);
        });
    }

    private static Command Show()
    {
        var name = new Argument<string>("name") { Description = "The registered model's name." };
        var command = new Command("show", "Show a registered model: description, tags, aliases and every version.") { name };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var registry = ModelRegistries.Of(tracking.Store);
            var modelName = parse.GetValue(name)!;
            var model = await registry.GetRegisteredModelAsync(modelName, ct)
                ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"No registered model named '{modelName}'. See `fathom models list`.");
            var versions = await registry.SearchModelVersionsAsync(
                new RegistrySearch($"name = '{modelName.Replace("'", "''", StringComparison.Ordinal)}'", ["version_number DESC"], 1000), ct);
            if (cli.Json)
            {
                cli.WriteJson(new { registered_model = RegistryJson.Model(model), model_versions = versions.Versions.Select(RegistryJson.Version) });
                return ExitCodes.Success;
            }

            cli.Out.MarkupLine($"[bold]{Markup.Escape(model.Name)}[/]  created {Format.Time(model.CreationTimestamp)}, updated {Format.Time(model.LastUpdatedTimestamp)}");
            if (!string.IsNullOrEmpty(model.Description))
            {
                cli.Out.WriteLine(model.Description);
            }

            foreach (var tag in model.Tags)
            {
                cli.Out.MarkupLine($"  [grey]{Markup.Escape(tag.Key)}[/] = {Markup.Escape(tag.Value)}");
            }

            return RenderVersions(cli, versions);
        });
    }

    private static Command Register()
    {
        var runId = new Argument<string>("run-id") { Description = "The run that produced the model." };
        var path = new Argument<string>("path") { Description = "The model's folder among the run's artifacts, e.g. model." };
        var name = new Option<string>("--name", "-n") { Description = "The registered model's name; created when it does not exist yet.", Required = true };
        var description = new Option<string?>("--description") { Description = "A description of this version." };
        var command = new Command("register", "Register a run's model folder as the next version of a registered model.") { runId, path, name, description };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var registry = ModelRegistries.Of(tracking.Store);
            var run = await Lookup.RunAsync(tracking.Store, parse.GetValue(runId)!, ct);
            var modelName = parse.GetValue(name)!;
            if (await registry.GetRegisteredModelAsync(modelName, ct) is null)
            {
                // mlflow.register_model creates the registered model on first use; so does this.
                try
                {
                    await registry.CreateRegisteredModelAsync(modelName, [], null, ct);
                }
                catch (TrackingException e) when (e.Code == ErrorCode.ResourceAlreadyExists)
                {
                    // registered meanwhile by someone else: use it
                }
            }

            // Like MLflow's client, the version's source is the folder's real location, not the runs:/ URI.
            var source = ArtifactLocations.Join(run.Info.ArtifactUri, parse.GetValue(path)!.Trim('/'));
            var version = await registry.CreateModelVersionAsync(
                new CreateModelVersionRequest(modelName, source, run.Info.RunId, Description: parse.GetValue(description)), ct);
            if (cli.Json)
            {
                cli.WriteJson(new { model_version = RegistryJson.Version(version) });
            }
            else
            {
                cli.Out.MarkupLine($"Registered [bold]{Markup.Escape(version.Name)}[/] version {version.Version} from {Markup.Escape(source)}.");
            }

            return ExitCodes.Success;
        });
    }

    private static Command Stage()
    {
        var name = new Argument<string>("name") { Description = "The registered model's name." };
        var version = new Argument<string>("version") { Description = "The version number." };
        var stage = new Argument<string>("stage") { Description = "None, Staging, Production or Archived." };
        var archive = new Option<bool>("--archive-existing") { Description = "Move the other versions in that stage (Staging or Production) to Archived." };
        var command = new Command("stage", "Move a model version to a stage.") { name, version, stage, archive };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var moved = await ModelRegistries.Of(tracking.Store).TransitionModelVersionStageAsync(
                parse.GetValue(name)!, RegistryValidation.ParseVersion(parse.GetValue(version)), parse.GetValue(stage)!, parse.GetValue(archive), Environment.UserName, ct);
            if (cli.Json)
            {
                cli.WriteJson(new { model_version = RegistryJson.Version(moved) });
            }
            else
            {
                cli.Out.MarkupLine($"[bold]{Markup.Escape(moved.Name)}[/] version {moved.Version} is now in {moved.CurrentStage}.");
            }

            return ExitCodes.Success;
        });
    }

    private static Command Alias()
    {
        var name = new Argument<string>("name") { Description = "The registered model's name." };
        var alias = new Argument<string>("alias") { Description = "The alias, e.g. champion (letters, digits, _ and -)." };
        var version = new Argument<string>("version") { Description = "The version the alias points at." };
        var command = new Command("alias", "Point an alias at a model version (creating or moving it).") { name, alias, version };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var registry = ModelRegistries.Of(tracking.Store);
            await registry.SetRegisteredModelAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, RegistryValidation.ParseVersion(parse.GetValue(version)), Environment.UserName, ct);
            var target = await registry.GetModelVersionByAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, ct);
            if (cli.Json)
            {
                cli.WriteJson(new { model_version = RegistryJson.Version(target) });
            }
            else
            {
                cli.Out.MarkupLine($"[bold]{Markup.Escape(target.Name)}[/]@{Markup.Escape(parse.GetValue(alias)!)} now points at version {target.Version}.");
            }

            return ExitCodes.Success;
        });
    }

    private static int RenderVersions(CliContext cli, ModelVersionsPage page)
    {
        if (cli.Json)
        {
            cli.WriteJson(new { model_versions = page.Versions.Select(RegistryJson.Version) });
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("Name", "Version", "Stage", "Aliases", "Run ID", "Source", "Created (UTC)");
        foreach (var v in page.Versions)
        {
            table.AddRow(
                Markup.Escape(v.Name),
                RegistryJson.Text(v.Version),
                v.CurrentStage,
                Markup.Escape(string.Join(", ", v.Aliases.Select(a => "@" + a))),
                Markup.Escape(v.RunId ?? ""),
                Markup.Escape(v.Source),
                Format.Time(v.CreationTimestamp));
        }

        cli.Out.Write(table);
        MoreHint(cli, page.NextPageToken);
        return ExitCodes.Success;
    }

    private static void MoreHint(CliContext cli, string? nextPageToken)
    {
        if (nextPageToken is not null)
        {
            cli.Human.MarkupLine("[grey]More exist; raise --max to see them.[/]");
        }
    }
}
