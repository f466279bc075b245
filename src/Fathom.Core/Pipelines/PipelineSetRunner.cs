using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// <c>fathom repro</c> over stages of several <c>dvc.yaml</c> files: the selected stages, in the order of the joint
/// DAG, are cut into runs of consecutive stages of one file, and each run goes to that file's
/// <see cref="PipelineRunner"/> (which owns its <c>dvc.lock</c>). A stage whose upstream in another file failed is
/// blocked here, as the runner blocks within a file.
/// </summary>
internal sealed class PipelineSetRunner(PipelineSet set, ReproOptions options, Func<PipelineProject, StageLineage?> lineage, Action<ReproEvent> report, TimeProvider time)
{
    public async Task<IReadOnlyList<StageResult>> ReproAsync(IReadOnlyList<PipelineStage> selected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selected);
        foreach (var (stage, dep) in set.Graph.MissingDependencies(selected))
        {
            throw new DataException(DataErrorKind.NotFound, $"stage '{stage.Name}': dependency '{dep}' does not exist and no stage {(set.Projects.Count == 1 ? "in " + set.Projects[0].DisplayName : "of the repository's dvc.yaml files")} outputs it; create it or fix the 'deps' of '{stage.Name}'.");
        }

        var results = new Dictionary<string, StageResult>(StringComparer.Ordinal);
        var index = 0;
        while (index < selected.Count)
        {
            var project = set.Locate(selected[index].Name).Project;
            var names = new List<string>();
            var afterWouldRun = new HashSet<string>(StringComparer.Ordinal);
            for (; index < selected.Count && set.Locate(selected[index].Name).Project == project; index++)
            {
                var address = selected[index].Name;
                var failed = set.Graph.Upstream(address).Select(u => results.GetValueOrDefault(u)).FirstOrDefault(r => r is { Outcome: ReproEventKind.Failed or ReproEventKind.Blocked });
                if (failed is null)
                {
                    var name = set.Locate(address).Stage.Name;
                    names.Add(name);
                    // --dry runs nothing, so a stage after one of another file that would run must be told so.
                    if (set.Graph.Upstream(address).Any(u => results.GetValueOrDefault(u) is { Outcome: ReproEventKind.WouldRun }))
                    {
                        afterWouldRun.Add(name);
                    }

                    continue;
                }

                var message = $"Stage '{address}' not run: it depends on '{failed.Stage}', which {(failed.Outcome == ReproEventKind.Failed ? "failed" : "did not run")}.";
                report(new ReproEvent(address, ReproEventKind.Blocked, message));
                results[address] = new StageResult(address, ReproEventKind.Blocked, [], message, TimeSpan.Zero);
            }

            if (names.Count == 0)
            {
                continue;
            }

            var elsewhere = set.Graph.Stages.Where(s => set.Locate(s.Name).Project != project).SelectMany(s => s.Outs.Select(o => PipelineGraph.Normalize(s.FullPath(o.Path)))).ToList();
            var runner = new PipelineRunner(set.Repository, project.Pipeline, project.Graph, options with { SingleItem = true, OutputsOfOtherFiles = elsewhere, UpstreamElsewhereWouldRun = afterWouldRun }, lineage(project), e => report(Readdress(project, e)), time);
            foreach (var result in await runner.ReproAsync(names, cancellationToken))
            {
                var address = set.Address(project, result.Stage);
                results[address] = result with { Stage = address };
            }
        }

        return selected.Select(s => results[s.Name]).ToList();
    }

    // The runner names stages as its own file does; the user reads them as addressed from the current folder.
    private ReproEvent Readdress(PipelineProject project, ReproEvent e)
    {
        var address = set.Address(project, e.Stage);
        return address == e.Stage ? e : new ReproEvent(address, e.Kind, e.Text.Replace($"'{e.Stage}'", $"'{address}'", StringComparison.Ordinal));
    }
}
