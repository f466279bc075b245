namespace Fathom.Pipelines;

/// <summary>
/// A stage's entry in <c>dvc.lock</c>: the resolved command (one string, or a list), the hashed deps, the params
/// values (file → dot key → value, <c>params.yaml</c> first) and the hashed outs (metrics and plots included).
/// </summary>
internal sealed record LockEntry(
    IReadOnlyList<string> Cmd,
    bool CmdIsList,
    IReadOnlyList<LockedFile> Deps,
    IReadOnlyList<KeyValuePair<string, IReadOnlyList<KeyValuePair<string, object?>>>> Params,
    IReadOnlyList<LockedFile> Outs);
