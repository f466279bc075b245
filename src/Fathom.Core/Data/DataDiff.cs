namespace Fathom.Data;

/// <summary>
/// <c>dvc diff</c>'s result: tracked paths (files, and folders with a trailing '/') added, deleted, modified or renamed
/// between two states, each with its old and new md5 where it has one.
/// </summary>
internal sealed record DataDiff(IReadOnlyList<DiffEntry> Added, IReadOnlyList<DiffEntry> Deleted, IReadOnlyList<DiffEntry> Modified, IReadOnlyList<DiffRename> Renamed)
{
    public bool IsEmpty => Added.Count == 0 && Deleted.Count == 0 && Modified.Count == 0 && Renamed.Count == 0;
}
