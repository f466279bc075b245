namespace Fathom.Pipelines;

/// <summary>
/// One resolved stage of a <c>dvc.yaml</c> (a <c>foreach</c>/<c>matrix</c> member is its own stage, named
/// <c>group@key</c>): templating applied, paths as written (relative to <see cref="Wdir"/>).
/// </summary>
/// <param name="Name">The stage name as it appears in <c>dvc.lock</c>.</param>
/// <param name="Group">The foreach/matrix group it was generated from, else null.</param>
/// <param name="Cmd">The command(s), run in order through the shell.</param>
/// <param name="CmdIsList">True when <c>cmd</c> was written as a list (kept so <c>dvc.lock</c> matches).</param>
/// <param name="Wdir">The working folder, absolute.</param>
/// <param name="Deps">Dependency paths relative to <see cref="Wdir"/>.</param>
/// <param name="Params">Parameter dependencies, params files first as DVC orders them.</param>
/// <param name="Outs">Outputs (outs, metrics, plots).</param>
/// <param name="Frozen">Never re-run by repro.</param>
/// <param name="AlwaysChanged">Always re-run.</param>
/// <param name="Line">The line of the stage in <c>dvc.yaml</c>, for messages.</param>
internal sealed record PipelineStage(
    string Name,
    string? Group,
    IReadOnlyList<string> Cmd,
    bool CmdIsList,
    string Wdir,
    IReadOnlyList<string> Deps,
    IReadOnlyList<ParamsDependency> Params,
    IReadOnlyList<StageOutput> Outs,
    bool Frozen,
    bool AlwaysChanged,
    int Line)
{
    /// <summary>The full path of a path written relative to the stage's wdir.</summary>
    public string FullPath(string path) => System.IO.Path.GetFullPath(path, Wdir);

    /// <summary>The command as one line for messages and tags.</summary>
    public string CommandText => string.Join(" && ", Cmd);
}
