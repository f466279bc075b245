namespace Fathom.Pipelines;

/// <summary>
/// Keys a stage depends on in one params file (path relative to the stage's wdir); <see cref="Keys"/> null means the
/// whole file (all its top-level keys), as <c>{file: null}</c> in <c>dvc.yaml</c>.
/// </summary>
internal sealed record ParamsDependency(string File, IReadOnlyList<string>? Keys);
