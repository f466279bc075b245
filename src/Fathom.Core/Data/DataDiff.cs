namespace Fathom.Data;

/// <summary>
/// <c>dvc diff</c>'s result: tracked paths (files, and folders with a trailing '/') added, deleted, modified or renamed
/// between two states, each with its old and new md5 where it has one.
/// </summary>
internal sealed record DataDiff(IReadOnlyList<DiffEntry> Added, IReadOnlyList<DiffEntry> Deleted, IReadOnlyList<DiffEntry> Modified, IReadOnlyList<DiffRename> Renamed)
{
    /// <summary>Changed entries whose old version's object is not in the cache (against the workspace only), with that md5.</summary>
    public IReadOnlyList<DiffEntry> NotInCache { get; init; } = [];

    public bool IsEmpty => Added.Count == 0 && Deleted.Count == 0 && Modified.Count == 0 && Renamed.Count == 0;
}
