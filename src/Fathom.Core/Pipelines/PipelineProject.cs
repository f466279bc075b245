using Fathom.Data;
using Fathom.Diagnostics;

namespace Fathom.Pipelines;

/// <summary>
/// The <c>dvc.yaml</c> of a folder with its repository and DAG, as every pipeline command starts from (DVC uses the
/// <c>dvc.yaml</c> of the current folder when no target names another).
/// </summary>
internal sealed record PipelineProject(DvcRepository Repository, Pipeline Pipeline, PipelineGraph Graph, string DisplayName)
{
    public static PipelineProject Open(string folder)
    {
        var repository = DvcRepository.Discover(folder);
        var path = Path.Combine(Path.GetFullPath(folder), PipelineParser.FileName);
        var display = repository.Relative(path);
        var pipeline = PipelineParser.Load(path, display, repository.Paths);
        StartupTrace.Mark("dvc.yaml parsed");
        return new PipelineProject(repository, pipeline, PipelineGraph.Build(pipeline, display), display);
    }

    /// <summary>Every metrics file of the pipeline (top-level <c>metrics</c> and stages' metrics outs), relative to dvc.yaml's folder.</summary>
    public IReadOnlyList<string> MetricsFiles() =>
        Pipeline.Metrics
            .Concat(Pipeline.Stages.SelectMany(s => s.Outs.Where(o => o.Kind == StageOutputKind.Metric).Select(o => Relative(s.FullPath(o.Path)))))
            .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Every params file the stages depend on (plus top-level <c>params</c>), with the keys tracked (null = all).</summary>
    public IReadOnlyList<(string File, IReadOnlyList<string>? Keys)> ParamsFiles()
    {
        var byFile = new Dictionary<string, List<string>?>(StringComparer.Ordinal);
        foreach (var file in Pipeline.ParamsFiles)
        {
            byFile[file] = null;
        }

        foreach (var stage in Pipeline.Stages)
        {
            foreach (var dep in stage.Params)
            {
                var file = Relative(stage.FullPath(dep.File));
                if (dep.Keys is null)
                {
                    byFile[file] = null;
                }
                else if (!byFile.TryGetValue(file, out var keys))
                {
                    byFile[file] = [.. dep.Keys];
                }
                else
                {
                    keys?.AddRange(dep.Keys.Where(k => !keys.Contains(k)));
                }
            }
        }

        return byFile.OrderBy(p => p.Key == Pipelines.ParamsFiles.Default ? 0 : 1).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (p.Key, (IReadOnlyList<string>?)p.Value)).ToList();
    }

    /// <summary>A path relative to dvc.yaml's folder, '/'-separated.</summary>
    public string Relative(string fullPath) => Path.GetRelativePath(Pipeline.Folder, fullPath).Replace(Path.DirectorySeparatorChar, '/');
}
