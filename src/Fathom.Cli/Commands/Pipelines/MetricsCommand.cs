using System.CommandLine;
using System.Globalization;
using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary><c>fathom metrics show|diff</c>: the pipeline's metrics files, now or compared with a git revision.</summary>
internal static class MetricsCommand
{
    public static Command Create()
    {
        var command = new Command("metrics", "Show the pipeline's metrics files or compare them between git revisions.");
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Diff());
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "Print the values of every metrics file (top-level 'metrics' and stages' 'metrics' outs).");
        return command.WithAction(async (parse, cli, ct) =>
        {
            var project = PipelineProject.Open(Directory.GetCurrentDirectory());
            var metrics = await PipelineComparison.MetricsAsync(project, null, ct);
            if (cli.Json)
            {
                cli.WriteJson(metrics);
                return ExitCodes.Success;
            }

            if (metrics.Count == 0)
            {
                cli.Error.WriteLine("No metrics files found: list them under 'metrics' in dvc.yaml (and run 'fathom repro').");
                return ExitCodes.Success;
            }

            var keys = metrics.Values.SelectMany(m => m.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var table = new Table { Border = TableBorder.Simple }.AddColumn("Path");
            foreach (var key in keys)
            {
                table.AddColumn(Markup.Escape(key));
            }

            foreach (var (file, values) in metrics)
            {
                table.AddRow([Markup.Escape(file), .. keys.Select(k => values.TryGetValue(k, out var v) ? Number(v) : "-")]);
            }

            cli.Out.Write(table);
            return ExitCodes.Success;
        });
    }

    private static Command Diff()
    {
        var a = new Argument<string?>("a_rev") { Description = "Old git revision (default: HEAD).", Arity = ArgumentArity.ZeroOrOne };
        var b = new Argument<string?>("b_rev") { Description = "New git revision (default: the workspace).", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Also list metrics that did not change." };
        var command = new Command("diff", "Compare metrics between two git revisions, or a revision and the workspace.") { a, b, all };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var project = PipelineProject.Open(Directory.GetCurrentDirectory());
            PipelineComparison.RequireGit(project);
            var (oldRev, newRev) = (parse.GetValue(a) ?? "HEAD", parse.GetValue(b));
            var changes = await PipelineComparison.MetricsDiffAsync(project, oldRev, newRev, ct);
            DiffTable.Render(cli, changes, "Metric", oldRev, newRev ?? PipelineComparison.Workspace, parse.GetValue(all), withChange: true);
            return ExitCodes.Success;
        });
    }

    public static string Number(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("0.#####", CultureInfo.InvariantCulture),
        _ => YamlText(value),
    };

    private static string YamlText(object? value) => value is List<object?> or Dictionary<string, object?>
        ? System.Text.Json.JsonSerializer.Serialize(value)
        : PipelineValues.ToText(value);
}
