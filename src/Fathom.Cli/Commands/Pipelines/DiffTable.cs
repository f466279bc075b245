using Fathom.Cli.Rendering;
using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary>The table (or JSON, or Markdown) of a metrics or params diff, shaped like DVC's: Path, name, old, new[, Change].</summary>
internal static class DiffTable
{
    public static void Render(CliContext cli, IReadOnlyList<ValueChange> changes, string column, string oldRev, string newRev, bool all, bool withChange, bool markdown = false, int? precision = MetricsCommand.DefaultPrecision, bool noPath = false)
    {
        var shown = changes.Where(c => all || c.Changed).ToList();
        if (cli.Json)
        {
            // DVC's JSON (metrics and params alike, dvc.utils.diff): {"file": {"key": {"old": …, "new": …, "diff": …}}},
            // "diff" only when both sides are numbers.
            cli.WritePythonJson(shown.GroupBy(c => c.File).ToDictionary(g => g.Key, g => g.ToDictionary(c => c.Key, c => c.Difference is { } difference
                ? new Dictionary<string, object?> { ["old"] = c.Old, ["new"] = c.New, ["diff"] = difference }
                : new Dictionary<string, object?> { ["old"] = c.Old, ["new"] = c.New })));
            return;
        }

        if (shown.Count == 0)
        {
            cli.Error.WriteLine($"No changes between {oldRev} and {newRev}.");
            return;
        }

        // --no-path drops the Path column, as DVC's show_diff(no_path=True).
        var headers = noPath ? new List<string> { column, oldRev, newRev } : ["Path", column, oldRev, newRev];
        if (withChange)
        {
            headers.Add("Change");
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var c in shown)
        {
            var cells = new List<string> { c.File, c.Key, MetricsCommand.Number(c.Old, precision), MetricsCommand.Number(c.New, precision) };
            if (noPath)
            {
                cells.RemoveAt(0);
            }

            if (withChange)
            {
                cells.Add(c.Difference is { } d ? MetricsCommand.Number(d, precision) : "-");
            }

            rows.Add(cells);
        }

        cli.Out.Profile.Out.Writer.Write(markdown ? MarkdownTable.Render(headers, rows) : MarkdownTable.RenderPlain(headers, rows));
    }
}
