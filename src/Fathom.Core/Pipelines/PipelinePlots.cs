using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// <c>fathom plots show|diff</c>: the plots of a pipeline (top-level <c>plots:</c>, then stages' <c>plots</c> outputs,
/// or the files named as targets) with their data at each revision (null = the workspace).
/// </summary>
internal static class PipelinePlots
{
    /// <summary>Every plot definition, ids and data files relative to dvc.yaml's folder; a stage's plot already defined at the top level is left out.</summary>
    public static IReadOnlyList<PlotDefinition> Definitions(PipelineProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var plots = new List<PlotDefinition>(project.Pipeline.Plots);
        foreach (var stage in project.Pipeline.Stages)
        {
            foreach (var output in stage.Outs.Where(o => o.Plot is not null))
            {
                var id = project.Relative(stage.FullPath(output.Path));
                if (plots.Any(p => p.Id == id))
                {
                    continue;
                }

                var plot = output.Plot!;
                plots.Add(plot with
                {
                    Id = id,
                    Y = plot.Y.ToDictionary(y => project.Relative(stage.FullPath(y.Key)), y => y.Value, StringComparer.Ordinal),
                    X = plot.X.ToDictionary(x => project.Relative(stage.FullPath(x.Key)), x => x.Value, StringComparer.Ordinal),
                });
            }
        }

        return plots;
    }

    /// <summary>
    /// The plots to show: those whose id or a data file is a target (a target that is no plot's becomes one with
    /// DVC's defaults, as <c>dvc plots show file.csv</c>), all of them without targets; each read at every revision.
    /// </summary>
    public static async Task<List<PlotResult>> CollectAsync(PipelineProject project, IReadOnlyList<string?> revisions, IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(revisions);
        ArgumentNullException.ThrowIfNull(targets);
        var definitions = Definitions(project).ToList();
        if (targets.Count > 0)
        {
            var chosen = new List<PlotDefinition>();
            foreach (var target in targets.Select(t => project.Relative(Path.GetFullPath(t))))
            {
                var matches = definitions.Where(d => d.Id == target || d.Y.ContainsKey(target)).ToList();
                chosen.AddRange(matches.Count > 0 ? matches.Except(chosen) : [new PlotDefinition(target, new Dictionary<string, IReadOnlyList<string>> { [target] = [] }, new Dictionary<string, string>(), "linear", null, null, null)]);
            }

            definitions = chosen;
        }

        var results = new List<PlotResult>();
        foreach (var plot in definitions)
        {
            var series = new List<PlotSeries>();
            var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var errors = new List<string>();
            foreach (var revision in revisions)
            {
                var label = revision ?? PipelineComparison.Workspace;
                foreach (var (file, fields) in plot.Y)
                {
                    try
                    {
                        if (PlotDefinition.IsImage(file))
                        {
                            // Images come from the workspace only: git show would hand back text, not bytes.
                            var full = Path.GetFullPath(file, project.Pipeline.Folder);
                            if (revision is null && File.Exists(full))
                            {
                                images[$"{label}/{file}"] = await File.ReadAllBytesAsync(full, cancellationToken);
                            }

                            continue;
                        }

                        if (await ReadAsync(project, file, revision, cancellationToken) is not { } text)
                        {
                            errors.Add($"{label}: '{file}' does not exist");
                            continue;
                        }

                        series.AddRange(PlotData.Series(label, file, PlotData.Parse(text, file), fields, plot.X.GetValueOrDefault(file)));
                    }
                    catch (Exception e) when (e is DataException or DvcFormatException or IOException)
                    {
                        errors.Add($"{label}: {e.Message}");
                    }
                }
            }

            results.Add(new PlotResult(plot, series, images, errors));
        }

        return results;
    }

    private static async Task<string?> ReadAsync(PipelineProject project, string file, string? revision, CancellationToken cancellationToken)
    {
        if (revision is null)
        {
            var full = Path.GetFullPath(file, project.Pipeline.Folder);
            return File.Exists(full) ? await File.ReadAllTextAsync(full, cancellationToken) : null;
        }

        return await GitRevision.ReadAsync(project.Pipeline.Folder, revision, file, cancellationToken);
    }
}
