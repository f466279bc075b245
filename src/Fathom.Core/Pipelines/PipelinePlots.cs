using Fathom.Data;
using Fathom.Storage;

namespace Fathom.Pipelines;

/// <summary>
/// <c>fathom plots show|diff</c>: the plots of every <c>dvc.yaml</c> of the repository (top-level <c>plots:</c>, then
/// stages' <c>plots</c> outputs, or the files named as targets) with their data at each revision (null = the workspace).
/// As in DVC, a plot named by its data file is identified by that file's path from the current folder (so from a
/// subfolder it reads <c>../plots/loss.csv</c>); a named plot (<c>- name: {y: …}</c>) by its name.
/// </summary>
internal static class PipelinePlots
{
    /// <summary>
    /// Every plot definition, data files relative to <paramref name="baseFolder"/> (the current folder, as DVC's
    /// <c>_relpath</c> makes them), in DVC's order: the top-level <c>plots:</c> of each <c>dvc.yaml</c>, then the stages'
    /// <c>plots</c> outputs. An id defined in more than one place is one plot per place, as DVC's
    /// <c>group_definitions_by_id</c> keeps them: a top-level one becomes <c>dvc.yaml::id</c> (its file from the base
    /// folder too), a stage's output keeps the bare id.
    /// </summary>
    public static IReadOnlyList<PlotDefinition> Definitions(DvcRepository repository, IReadOnlyList<PipelineProject> projects, string baseFolder)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(projects);
        var plots = new List<(string Config, PlotDefinition Plot)>();
        string Show(string fullPath) => Path.GetRelativePath(baseFolder, fullPath).Replace(Path.DirectorySeparatorChar, '/');
        foreach (var project in projects)
        {
            string FromRoot(string path) => Show(Path.GetFullPath(path, project.Pipeline.Folder));
            var config = Show(project.Pipeline.FilePath);
            foreach (var plot in project.Pipeline.Plots)
            {
                var byPath = plot.Y.ContainsKey(plot.Id);
                plots.Add((config, Rebase(plot, byPath ? FromRoot(plot.Id) : plot.Id, FromRoot)));
            }
        }

        foreach (var stage in projects.SelectMany(p => p.Pipeline.Stages))
        {
            foreach (var output in stage.Outs.Where(o => o.Plot is not null))
            {
                // A stage's paths are relative to its wdir.
                plots.Add(("", Rebase(output.Plot!, Show(stage.FullPath(output.Path)), path => Show(stage.FullPath(path)))));
            }
        }

        // Grouped as DVC groups them: by id in order of first appearance, the places of one id side by side; one plot
        // per place (a later entry of the same place replaces an earlier one, as in DVC's dict of definitions).
        return plots.GroupBy(p => p.Plot.Id, StringComparer.Ordinal)
            .SelectMany(id =>
            {
                var places = id.GroupBy(p => p.Config, StringComparer.Ordinal).Select(p => p.Last()).ToList();
                return places.Select(p => places.Count > 1 && p.Config.Length > 0 ? p.Plot with { Id = $"{p.Config}::{p.Plot.Id}" } : p.Plot);
            })
            .ToList();
    }

    private static PlotDefinition Rebase(PlotDefinition plot, string id, Func<string, string> fromRoot) => plot with
    {
        Id = id,
        Y = plot.Y.ToDictionary(y => fromRoot(y.Key), y => y.Value, StringComparer.Ordinal),
        X = plot.X.ToDictionary(x => fromRoot(x.Key), x => x.Value, StringComparer.Ordinal),
    };

    /// <summary>
    /// The plots to show: those whose id or a data file is a target (a target that is no plot's becomes one with
    /// DVC's defaults, as <c>dvc plots show file.csv</c>), all of them without targets; the command line's properties
    /// applied; each read at every revision. Targets are paths relative to <paramref name="baseFolder"/> or plot names.
    /// </summary>
    public static async Task<List<PlotResult>> CollectAsync(DvcRepository repository, IReadOnlyList<PipelineProject> projects, string baseFolder, IReadOnlyList<string?> revisions, IReadOnlyList<string> targets, PlotOverrides overrides, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(revisions);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(overrides);
        var definitions = Definitions(repository, projects, baseFolder).ToList();
        if (targets.Count > 0)
        {
            var chosen = new List<PlotDefinition>();
            foreach (var target in targets)
            {
                var path = Path.GetRelativePath(baseFolder, Path.GetFullPath(target, baseFolder)).Replace(Path.DirectorySeparatorChar, '/');
                var matches = definitions.Where(d => d.Id == target || d.Id == path || d.Y.ContainsKey(path)).ToList();
                chosen.AddRange(matches.Count > 0 ? matches.Except(chosen) : [new PlotDefinition(path, new Dictionary<string, IReadOnlyList<string>> { [path] = [] }, new Dictionary<string, string>(), "linear", null, null, null)]);
            }

            definitions = chosen;
        }

        var results = new List<PlotResult>();
        foreach (var plot in definitions.Select(overrides.Apply))
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
                        // A plot's file is data of this repository: a dvc.yaml (perhaps from someone else's clone) must
                        // not make the page show a file outside it, by '..' or by a link (DVC reads through its
                        // repository file system, which has no outside either).
                        var full = Path.GetFullPath(file, baseFolder);
                        if (!PathConfinement.IsInside(PathConfinement.Resolved(full), PathConfinement.Resolved(repository.Root)))
                        {
                            errors.Add($"{label}: '{file}' is outside the repository; not read");
                            continue;
                        }

                        if (PlotDefinition.IsImage(file))
                        {
                            // Images come from the workspace only: git show would hand back text, not bytes.
                            if (revision is null && File.Exists(full))
                            {
                                images[$"{label}/{file}"] = await File.ReadAllBytesAsync(full, cancellationToken);
                            }

                            continue;
                        }

                        if (await ReadAsync(repository, full, revision, cancellationToken) is not { } text)
                        {
                            errors.Add($"{label}: '{file}' does not exist");
                            continue;
                        }

                        var rows = PlotData.Parse(text, file);
                        var x = plot.X.GetValueOrDefault(file);
                        series.AddRange(plot.IsConfusion || plot.IsBar ? PlotData.CategorySeries(label, file, rows, plot, fields, x) : PlotData.Series(label, file, rows, fields, x));
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

    private static async Task<string?> ReadAsync(DvcRepository repository, string full, string? revision, CancellationToken cancellationToken)
    {
        if (revision is null)
        {
            return File.Exists(full) ? await File.ReadAllTextAsync(full, cancellationToken) : null;
        }

        return await GitRevision.ReadAsync(repository.Root, revision, repository.Relative(full), cancellationToken);
    }
}
