using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Registry;
using Spectre.Console;

namespace Fathom.Cli.Commands;

internal static partial class ModelsCommand
{
    private static Command History()
    {
        var name = new Argument<string>("name") { Description = "The registered model's name." };
        var alias = new Option<string?>("--alias", "-a") { Description = "Only this alias's moves (default: every alias and stage)." };
        var command = new Command("history", "Show who moved the model's aliases and stages, when, from which version and to which, newest first.") { name, alias };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var entries = await ModelRegistries.Of(tracking.Store).GetAliasHistoryAsync(parse.GetValue(name)!, parse.GetValue(alias), ct);
            if (cli.Json)
            {
                cli.WriteJson(new { history = entries.Select(RegistryJson.HistoryEntry) });
                return ExitCodes.Success;
            }

            if (entries.Count == 0)
            {
                cli.Human.MarkupLine("[grey]No alias or stage has moved yet.[/]");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("When (UTC)", "Pointer", "Action", "From", "To", "By");
            foreach (var e in entries)
            {
                table.AddRow(
                    Format.Time(e.Timestamp),
                    Markup.Escape(e.Kind == AliasHistoryEntry.AliasKind ? "@" + e.Target : e.Target),
                    e.Action,
                    e.FromVersion is { } from ? "v" + RegistryJson.Text(from) : "-",
                    e.ToVersion is { } to ? "v" + RegistryJson.Text(to) : "-",
                    Markup.Escape(e.User ?? "-"));
            }

            cli.Out.Write(table);
            return ExitCodes.Success;
        });
    }

    private static Command Rollback()
    {
        var name = new Argument<string>("name") { Description = "The registered model's name." };
        var alias = new Argument<string>("alias") { Description = "The alias to move back, e.g. champion." };
        var command = new Command("rollback", "Move an alias back to the version it pointed at before its last move (recorded; a second rollback undoes the first).") { name, alias };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var entry = await ModelRegistries.Of(tracking.Store).RollbackRegisteredModelAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, Environment.UserName, ct);
            if (cli.Json)
            {
                cli.WriteJson(new { entry = RegistryJson.HistoryEntry(entry) });
            }
            else
            {
                cli.Out.MarkupLine(
                    $"[bold]{Markup.Escape(entry.Name)}[/]@{Markup.Escape(entry.Target)} rolled back from version {(entry.FromVersion is { } from ? RegistryJson.Text(from) : "(none)")} to version {RegistryJson.Text(entry.ToVersion!.Value)}.");
            }

            return ExitCodes.Success;
        });
    }
}
