using System.CommandLine;
using Fathom.Pipelines;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary><c>fathom params diff [A_REV] [B_REV]</c>: the params the stages depend on, compared between git revisions.</summary>
internal static class ParamsCommand
{
    public static Command Create()
    {
        var command = new Command("params", "Compare the pipeline's params between git revisions.");
        var a = new Argument<string?>("a_rev") { Description = "Old git revision (default: HEAD).", Arity = ArgumentArity.ZeroOrOne };
        var b = new Argument<string?>("b_rev") { Description = "New git revision (default: the workspace).", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Also list params that did not change." };
        var targets = MetricsCommand.TargetsOption("params");
        var noPath = MetricsCommand.NoPathOption();
        var markdown = MetricsCommand.MarkdownOption();
        var precision = MetricsCommand.PrecisionOption();
        var diff = new Command("diff", "Show params that differ between two git revisions, or a revision and the workspace.") { a, b, targets, all, noPath, markdown, precision };
        command.Subcommands.Add(diff.WithAction(async (parse, cli, ct) =>
        {
            // DVC's params diff prints values unrounded (show_diff without precision); --precision is Fathom's extra.
            var digits = parse.GetValue(precision) is { } given ? MetricsCommand.Precision(given) : (int?)null;
            // Every dvc.yaml of the repository, paths relative to the current folder, as DVC's repository index.
            var project = PipelineSet.Open(Directory.GetCurrentDirectory()).Combined();
            PipelineComparison.RequireGit(project);
            var (oldRev, newRev) = (parse.GetValue(a) ?? "HEAD", parse.GetValue(b));
            var files = PipelineComparison.TargetFiles(project, parse.GetValue(targets) ?? [], recursive: false, []);
            var changes = await PipelineComparison.ParamsDiffAsync(project, oldRev, newRev, files, ct);
            DiffTable.Render(cli, changes, "Param", oldRev, newRev ?? PipelineComparison.Workspace, parse.GetValue(all), withChange: false, parse.GetValue(markdown), digits, parse.GetValue(noPath));
            return ExitCodes.Success;
        }));
        return command;
    }
}
