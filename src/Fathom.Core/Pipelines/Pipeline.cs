namespace Fathom.Pipelines;

/// <summary>A parsed <c>dvc.yaml</c>: its stages in file order and the top-level <c>metrics</c> and <c>params</c> lists.</summary>
/// <param name="FilePath">The full path of <c>dvc.yaml</c>.</param>
/// <param name="Stages">Every resolved stage, in file order.</param>
/// <param name="Metrics">Top-level metrics files (relative to the dvc.yaml folder).</param>
/// <param name="ParamsFiles">Top-level params files to show in <c>params diff</c>.</param>
internal sealed record Pipeline(string FilePath, IReadOnlyList<PipelineStage> Stages, IReadOnlyList<string> Metrics, IReadOnlyList<string> ParamsFiles)
{
    /// <summary>The folder holding <c>dvc.yaml</c> (and <c>dvc.lock</c>).</summary>
    public string Folder => Path.GetDirectoryName(FilePath)!;

    public string LockPath => Path.Combine(Folder, LockFileFormat.FileName);

    /// <summary>The top-level <c>plots:</c> definitions (paths relative to the dvc.yaml folder).</summary>
    public IReadOnlyList<PlotDefinition> Plots { get; init; } = [];
}
