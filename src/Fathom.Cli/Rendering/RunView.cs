using Fathom.Cli.Commands;
using Fathom.Storage;
using Fathom.Tracking;
using Spectre.Console;

namespace Fathom.Cli.Rendering;

/// <summary>Renders one run for people: its info, params, metrics, lineage, inputs and artifacts.</summary>
internal static class RunView
{
    public static void Write(IAnsiConsole console, Run run, IReadOnlyList<ArtifactEntry> artifacts)
    {
        var info = run.Info;
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Run[/]", $"{info.RunId} ([bold]{Markup.Escape(info.RunName)}[/])");
        grid.AddRow("Experiment", info.ExperimentId);
        grid.AddRow("Status", RunsCommand.StatusMarkup(info.Status));
        grid.AddRow("Started (UTC)", Format.Time(info.StartTime));
        grid.AddRow("Ended (UTC)", Format.Time(info.EndTime));
        grid.AddRow("Duration", Format.Duration(info.StartTime, info.EndTime));
        grid.AddRow("User", Markup.Escape(info.UserId));
        grid.AddRow("Artifacts", Markup.Escape(info.ArtifactUri));
        if (info.LifecycleStage != LifecycleStage.Active)
        {
            grid.AddRow("Lifecycle", "[yellow]" + info.LifecycleStage + "[/]");
        }

        console.Write(grid);
        Section(console, "Params", ["Key", "Value"], run.Params.Select(p => new[] { p.Key, p.Value }));
        Section(console, "Metrics", ["Key", "Value", "Step"], run.Metrics.Select(m => new[] { m.Key, Format.Number(m.Value), m.Step.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var lineage = run.Tags.Where(t => t.Key.StartsWith("mlflow.", StringComparison.Ordinal) || t.Key.StartsWith("fathom.", StringComparison.Ordinal));
        Section(console, "Lineage", ["Key", "Value"], lineage.Select(t => new[] { t.Key, t.Value }));
        var user = run.Tags.Where(t => !t.Key.StartsWith("mlflow.", StringComparison.Ordinal) && !t.Key.StartsWith("fathom.", StringComparison.Ordinal));
        Section(console, "Tags", ["Key", "Value"], user.Select(t => new[] { t.Key, t.Value }));
        Section(console, "Inputs", ["Name", "Digest", "Source"], run.Inputs.Select(i => new[] { i.Dataset.Name, i.Dataset.Digest, i.Dataset.Source }));
        Section(console, "Artifacts", ["Path", "Size"], artifacts.Select(a => new[] { a.Path, Format.Bytes(a.FileSize) }));
    }

    public static void WriteChart(IAnsiConsole console, IReadOnlyList<Metric> history, int width)
    {
        var values = history.Select(m => m.Value).ToList();
        var finite = values.Where(double.IsFinite).ToList();
        var lines = BrailleChart.Render(values, width, 10);
        console.MarkupLine($"[bold]{Markup.Escape(history[0].Key)}[/]: {history.Count} points, steps {history[0].Step}…{history[^1].Step}");
        var max = finite.Count > 0 ? Format.Number(finite.Max()) : "-";
        var min = finite.Count > 0 ? Format.Number(finite.Min()) : "-";
        var pad = Math.Max(max.Length, min.Length);
        for (var i = 0; i < lines.Count; i++)
        {
            var label = i == 0 ? max : i == lines.Count - 1 ? min : "";
            console.MarkupLine($"{Markup.Escape(label.PadLeft(pad))} [green]{lines[i]}[/]");
        }

        console.MarkupLine($"{new string(' ', pad)} last: {Format.Number(values[^1])} at step {history[^1].Step}");
    }

    private static void Section(IAnsiConsole console, string title, string[] columns, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var table = new Table { Title = new TableTitle(title) }.AddColumns(columns);
        foreach (var row in list)
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        console.Write(table);
    }
}
