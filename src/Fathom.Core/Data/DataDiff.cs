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

    /// <summary>
    /// <c>dvc diff --targets</c>: only the entries at or under the given paths (relative to the repository root,
    /// '/'-separated) — a tracked folder, a file inside one, or a tracked file; a rename counts when either end does.
    /// </summary>
    public DataDiff Within(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            return this;
        }

        var roots = paths.Select(p => p.TrimEnd('/')).ToList();
        bool In(string path) => roots.Exists(t => t.Length == 0 || path == t || path.StartsWith(t + "/", StringComparison.Ordinal));
        return new DataDiff([.. Added.Where(e => In(e.Path))], [.. Deleted.Where(e => In(e.Path))], [.. Modified.Where(e => In(e.Path))], [.. Renamed.Where(r => In(r.OldPath) || In(r.NewPath))])
        {
            NotInCache = [.. NotInCache.Where(e => In(e.Path))],
        };
    }
}
