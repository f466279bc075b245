using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary>The table (or JSON) of a metrics or params diff, shaped like DVC's: Path, name, old, new[, Change].</summary>
internal static class DiffTable
{
    public static void Render(CliContext cli, IReadOnlyList<ValueChange> changes, string column, string oldRev, string newRev, bool all, bool withChange)
    {
        var shown = changes.Where(c => all || c.Changed).ToList();
        if (cli.Json)
        {
            // DVC's JSON: {"file": {"key": {"old": …, "new": …, "diff": …}}}.
            cli.WriteJson(shown.GroupBy(c => c.File).ToDictionary(g => g.Key, g => g.ToDictionary(c => c.Key, c => withChange
                ? new Dictionary<string, object?> { ["old"] = c.Old, ["new"] = c.New, ["diff"] = c.Difference }
                : new Dictionary<string, object?> { ["old"] = c.Old, ["new"] = c.New })));
            return;
        }

        if (shown.Count == 0)
        {
            cli.Error.WriteLine($"No changes between {oldRev} and {newRev}.");
            return;
        }

        var table = new Table { Border = TableBorder.Simple }.AddColumns("Path", column, Markup.Escape(oldRev), Markup.Escape(newRev));
        if (withChange)
        {
            table.AddColumn("Change");
        }

        foreach (var c in shown)
        {
            var cells = new List<string> { Markup.Escape(c.File), Markup.Escape(c.Key), Markup.Escape(MetricsCommand.Number(c.Old)), Markup.Escape(MetricsCommand.Number(c.New)) };
            if (withChange)
            {
                cells.Add(c.Difference is { } d ? MetricsCommand.Number(d) : "-");
            }

            table.AddRow(cells.ToArray());
        }

        cli.Out.Write(table);
    }
}
