using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Data;
using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary>
/// <c>fathom plots show|diff</c>: DVC's plots as one self-contained HTML page (<c>dvc_plots/index.html</c>) or, with
/// <c>--json</c>, DVC's <c>{"data": {id: [{"type": "vega", "revisions": […], "content": spec}]}}</c>.
/// </summary>
internal static class PlotsCommand
{
    public static Command Create()
    {
        var command = new Command("plots", "Draw the pipeline's plots (dvc.yaml 'plots:' and stages' plots outputs) into an HTML page.");
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Diff());
        return command;
    }

    private static Option<string> OutOption() => new("--out", "-o") { Description = "Folder to write index.html into.", DefaultValueFactory = _ => "dvc_plots" };

    private static Command Show()
    {
        var targets = new Argument<string[]>("targets") { Description = "Plot ids or data files (default: every plot of every dvc.yaml in the repository).", Arity = ArgumentArity.ZeroOrMore };
        var output = OutOption();
        var command = new Command("show", "Draw the plots from the workspace's data files.") { targets, output };
        var properties = new PlotPropertyOptions(command);
        return command.WithAction(async (parse, cli, ct) =>
            await RenderAsync(cli, [null], parse.GetValue(targets)!, properties.Read(parse), parse.GetValue(output)!, ct));
    }

    private static Command Diff()
    {
        var revisions = new Argument<string[]>("revisions") { Description = "Git revisions to compare ('workspace' for the working tree); none: HEAD and the workspace, one: it and the workspace.", Arity = ArgumentArity.ZeroOrMore };
        var targets = new Option<string[]>("--targets") { Description = "Plot ids or data files to draw (default: all).", AllowMultipleArgumentsPerToken = true };
        var output = OutOption();
        var command = new Command("diff", "Draw the plots with the data of several git revisions in one chart each.") { revisions, targets, output };
        var properties = new PlotPropertyOptions(command);
        return command.WithAction(async (parse, cli, ct) =>
        {
            var given = parse.GetValue(revisions)!;
            // DVC's plots diff: no revision compares HEAD with the workspace; one compares it with the workspace.
            var chosen = given.Length switch
            {
                0 => new List<string?> { "HEAD", null },
                1 => [given[0] == PipelineComparison.Workspace ? null : given[0], null],
                _ => given.Select(r => r == PipelineComparison.Workspace ? null : r).ToList(),
            };
            return await RenderAsync(cli, chosen.Distinct().ToList(), parse.GetValue(targets) ?? [], properties.Read(parse), parse.GetValue(output)!, ct);
        });
    }

    private static async Task<int> RenderAsync(CliContext cli, IReadOnlyList<string?> revisions, IReadOnlyList<string> targets, PlotOverrides overrides, string output, CancellationToken cancellationToken)
    {
        var cwd = Directory.GetCurrentDirectory();
        var set = PipelineSet.Open(cwd);
        if (revisions.Any(r => r is not null))
        {
            PipelineComparison.RequireGit(set.Repository);
        }

        var plots = await PipelinePlots.CollectAsync(set.Repository, set.Projects, cwd, revisions, targets, overrides, cancellationToken);
        foreach (var error in plots.SelectMany(p => p.Errors.Select(e => $"{p.Definition.Id}: {e}")))
        {
            cli.Error.WriteLine($"WARNING: {error}");
        }

        if (cli.Json)
        {
            var labels = revisions.Select(r => r ?? PipelineComparison.Workspace).ToList();
            cli.WriteJson(new
            {
                data = plots.ToDictionary(p => p.Definition.Id, p => p.Images.Count > 0
                    ? p.Images.Select(i => (object)new { type = "image", revisions = new[] { PipelineComparison.Workspace }, url = Path.GetFullPath(p.Definition.Y.Keys.First(), cwd) }).ToList()
                    : [new { type = "vega", revisions = labels, content = PlotsHtml.VegaLite(p) }]),
            });
            return ExitCodes.Success;
        }

        if (plots.All(p => p.Series.Count == 0 && p.Images.Count == 0))
        {
            throw new DataException(DataErrorKind.NotFound, "No plots were loaded: define them under 'plots' in dvc.yaml (or name data files), and run 'fathom repro' to create them.");
        }

        var folder = Path.GetFullPath(output);
        Directory.CreateDirectory(folder);
        var page = Path.Combine(folder, "index.html");
        AtomicFile.WriteAllText(page, PlotsHtml.Page(plots));
        cli.Out.WriteLine(new Uri(page).AbsoluteUri);
        return ExitCodes.Success;
    }
}
