namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc diff [a_rev] [b_rev]</c>: compares the tracked data recorded at git revision <paramref name="aRevision"/>
    /// (default <c>HEAD</c>) with that at <paramref name="bRevision"/>, or with the workspace when it is null. Folders
    /// are compared file by file through their <c>.dir</c> manifests in the cache and listed with a trailing '/' when
    /// anything in them changed; a file deleted and added elsewhere with the same md5 is a rename. Against the workspace,
    /// each changed entry whose old object is not in the cache is also listed in <see cref="DataDiff.NotInCache"/>, as
    /// <c>dvc diff</c> does: that version cannot be checked out without a fetch.
    /// </summary>
    public DataDiff Diff(string? aRevision, string? bRevision, CancellationToken cancellationToken)
    {
        var history = new GitHistory(Repository.Root);
        var before = Expand(history.OutputsAt(Commit(history, aRevision ?? "HEAD")));
        var after = bRevision is null ? WorkspaceState(cancellationToken) : Expand(history.OutputsAt(Commit(history, bRevision)));
        // A folder whose manifest one side could not read lists no files there; when the folder itself is unchanged,
        // so are its files, and the other side's must not show up as added or deleted.
        foreach (var (folder, md5) in before.Where(p => p.Key.EndsWith('/')).ToList())
        {
            if (after.TryGetValue(folder, out var now) && now == md5)
            {
                foreach (var file in before.Keys.Concat(after.Keys).Where(k => k.Length > folder.Length && k.StartsWith(folder, StringComparison.Ordinal)).ToList())
                {
                    before.Remove(file);
                    after.Remove(file);
                }
            }
        }

        var added = after.Where(p => !before.ContainsKey(p.Key)).Select(p => new DiffEntry(p.Key, null, p.Value)).ToList();
        var deleted = before.Where(p => !after.ContainsKey(p.Key)).Select(p => new DiffEntry(p.Key, p.Value, null)).ToList();
        var modified = before.Where(p => after.TryGetValue(p.Key, out var now) && now != p.Value).Select(p => new DiffEntry(p.Key, p.Value, after[p.Key])).ToList();
        var renamed = new List<DiffRename>();
        foreach (var gone in deleted.Where(d => !d.Path.EndsWith('/')).ToList())
        {
            if (added.FirstOrDefault(a => !a.Path.EndsWith('/') && a.NewMd5 == gone.OldMd5) is { } moved)
            {
                renamed.Add(new DiffRename(gone.Path, moved.Path, moved.NewMd5!));
                added.Remove(moved);
                deleted.Remove(gone);
            }
        }

        static List<DiffEntry> Sorted(IEnumerable<DiffEntry> entries) => entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        var notInCache = bRevision is not null
            ? []
            : deleted.Concat(modified).Select(e => (e.Path, e.OldMd5!)).Concat(renamed.Select(r => (r.OldPath, r.Md5)))
                .Where(e => !Repository.Cache.Contains(e.Item2) && !Repository.LegacyCache.Contains(e.Item2))
                .Select(e => new DiffEntry(e.Item1, e.Item2, null));
        return new DataDiff(Sorted(added), Sorted(deleted), Sorted(modified), renamed.OrderBy(r => r.NewPath, StringComparer.Ordinal).ToList())
        {
            NotInCache = Sorted(notInCache),
        };
    }

    private static string Commit(GitHistory history, string revision)
    {
        try
        {
            return history.Resolve(revision);
        }
        catch (DataException)
        {
            throw new DataException(DataErrorKind.NotFound, $"'{revision}' is not a git revision here (a commit, branch or tag).");
        }
    }

    /// <summary>Path → md5 for each output and, for folders (keyed "path/"), each file its manifest lists.</summary>
    private Dictionary<string, string> Expand(IEnumerable<(string Path, DvcOutput Output)> outputs)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, output) in outputs)
        {
            if (output.Md5 is not { } md5)
            {
                continue;
            }

            if (!output.IsDirectory)
            {
                state[path] = md5;
                continue;
            }

            state[path + "/"] = md5;
            var cache = Repository.CacheFor(output);
            if (cache.Contains(md5))
            {
                foreach (var entry in cache.ReadManifest(md5))
                {
                    state[$"{path}/{entry.RelativePath}"] = entry.Md5;
                }
            }
        }

        return state;
    }

    private Dictionary<string, string> WorkspaceState(CancellationToken cancellationToken)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        using var stat = Repository.OpenStatCache();
        var hasher = Hasher(stat);
        foreach (var output in Outputs([], Repository.Root))
        {
            if (!File.Exists(output.FullPath) && !Directory.Exists(output.FullPath))
            {
                continue;
            }

            var path = Repository.Relative(output.FullPath);
            var current = hasher.Hash(output.FullPath, null, null, output.Output.IsLegacy, cancellationToken);
            if (current.Manifest is null)
            {
                state[path] = current.Hash.Md5;
                continue;
            }

            state[path + "/"] = current.Hash.Md5;
            foreach (var file in current.Files)
            {
                state[$"{path}/{file.RelativePath}"] = file.Md5;
            }
        }

        return state;
    }
}
