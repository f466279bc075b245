using System.CommandLine;
using Fathom.Cli.Commands.Data;
using Fathom.Cli.Rendering;
using Fathom.Pipelines;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary>
/// <c>fathom repro</c> over the repository's <c>dvc.yaml</c> files (<c>path/dvc.yaml:stage</c>, <c>path/dvc.yaml</c>,
/// <c>-R</c>, <c>-P</c>; a plain <c>fathom repro</c> is <c>./dvc.yaml</c> with its upstream in other files) and
/// DVC's selection and missing-data options (<c>--downstream</c>, <c>--pull</c>, <c>--allow-missing</c>).
/// </summary>
internal static partial class ReproCommand
{
    private static readonly Option<bool> Downstream = new("--downstream") { Description = "Reproduce the targets and every stage that depends on them (not their upstream)." };
    private static readonly Option<bool> Recursive = new("--recursive", "-R") { Description = "Folder targets: reproduce every dvc.yaml inside them ('-R .' for every dvc.yaml below this folder)." };
    private static readonly Option<bool> AllPipelines = new("--all-pipelines", "-P") { Description = "Reproduce every stage of every dvc.yaml in the repository." };
    private static readonly Option<bool> Pull = new("--pull") { Description = "Fetch missing outputs and deps from the default remote instead of re-running stages that only miss data." };
    private static readonly Option<bool> AllowMissing = new("--allow-missing") { Description = "Skip stages whose only change is data missing from the workspace or the cache." };

    private static async Task<int> ReproSetAsync(string[] targets, ParseResult parse, CliContext cli, ReproOptions options, string? experiment, CancellationToken cancellationToken)
    {
        // Like dvc repro: the targets (default ./dvc.yaml) are found in, and bring their upstream from, the DAG of every
        // dvc.yaml of the repository; -P takes every stage of it.
        var set = PipelineSet.Open(Directory.GetCurrentDirectory());
        var selected = parse.GetValue(AllPipelines)
            ? set.Graph.Stages
            : set.Select(targets, parse.GetValue(Recursive), options.SingleItem, parse.GetValue(Downstream));
        var lineages = new Dictionary<PipelineProject, StageLineage>();
        try
        {
            var results = await ProgressReporter.RunAsync(cli, "Reproducing stages", selected.Count, async progress =>
            {
                var done = 0L;
                var runner = new PipelineSetRunner(set, options, project => Lineage(project), e =>
                {
                    Show(cli, e);
                    if (e.Kind is not (ReproEventKind.Running or ReproEventKind.LockWritten or ReproEventKind.Output))
                    {
                        progress.Report(Interlocked.Increment(ref done));
                    }
                }, cli.Time);
                return await runner.ReproAsync(selected, cancellationToken);
            });
            return Finish(cli, options, results);
        }
        finally
        {
            foreach (var lineage in lineages.Values)
            {
                await lineage.DisposeAsync();
            }
        }

        StageLineage? Lineage(PipelineProject project)
        {
            if (experiment is null)
            {
                return null;
            }

            if (!lineages.TryGetValue(project, out var lineage))
            {
                lineages[project] = lineage = new StageLineage(cli.OpenTracking, experiment, project.DisplayName);
            }

            return lineage;
        }
    }

    private static async Task<IReadOnlyList<string>> FetchFromDefaultRemote(IReadOnlyList<string> objects, CancellationToken cancellationToken) =>
        await DataOptions.OpenWorkspace(null).FetchObjectsAsync(objects, null, cancellationToken);
}
