namespace Fathom.Data;

/// <summary>
/// One row of <c>ls</c>, with the fields (and in the order) of DVC 3's <c>dvc ls --json</c>: whether it is (inside) a
/// DVC output, a folder, executable, its size (null when unknown) and its md5 (null for files only git knows).
/// </summary>
internal sealed record LsEntry(bool IsOut, bool IsDir, bool IsExec, long? Size, string? Md5, string Path);
