namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc gc --workspace</c>: deletes cache objects (and with <paramref name="cloud"/> remote objects) that no
    /// <c>.dvc</c> file in the workspace references; a folder's <c>.dir</c> object keeps every file it lists.
    /// </summary>
    public GcResult Gc(bool cloud, string? remoteName, bool dry) => Gc(cloud, remoteName, dry, allBranches: false, allTags: false, allCommits: false);

    /// <summary>
    /// <c>dvc gc</c> with git scopes: besides the workspace, keeps what the <c>.dvc</c> files and <c>dvc.lock</c> outs
    /// of every branch head (<paramref name="allBranches"/>), tagged commit (<paramref name="allTags"/>) or commit
    /// (<paramref name="allCommits"/>) reference, as DVC's brancher always includes the workspace.
    /// </summary>
    public GcResult Gc(bool cloud, string? remoteName, bool dry, bool allBranches, bool allTags, bool allCommits)
    {
        var remote = cloud ? Remote(remoteName) : null;
        var keep = new HashSet<string>(StringComparer.Ordinal);
        Func<string, IReadOnlyList<ManifestEntry>?> manifest = m => CachedManifest(m) ?? (remote is not null && remote.Contains(m) ? remote.ReadManifest(m) : null);
        foreach (var output in Outputs([], Repository.Root))
        {
            foreach (var (_, md5) in ObjectsOf(output, manifest))
            {
                keep.Add(md5);
            }
        }

        if (allBranches || allTags || allCommits)
        {
            var history = new GitHistory(Repository.Root);
            foreach (var commit in history.Revisions(allBranches, allTags, allCommits))
            {
                foreach (var (path, output) in history.OutputsAt(commit))
                {
                    var tracked = new TrackedOutput("", new DvcFile([output]), 0, output, Path.Combine(Repository.Root, path));
                    foreach (var (_, md5) in ObjectsOf(tracked, manifest))
                    {
                        keep.Add(md5);
                    }
                }
            }
        }

        var (cacheRemoved, cacheBytes) = Sweep(Repository.Cache, keep, dry);
        var (remoteRemoved, remoteBytes) = remote is null ? (0, 0L) : Sweep(remote, keep, dry);
        return new GcResult(cacheRemoved, cacheBytes, remoteRemoved, remoteBytes, keep.Count, dry);
    }

    private static (int Count, long Bytes) Sweep(ObjectCache store, HashSet<string> keep, bool dry)
    {
        var count = 0;
        long bytes = 0;
        foreach (var md5 in store.EnumerateObjects().Where(o => !keep.Contains(o)).ToList())
        {
            count++;
            bytes += new FileInfo(store.PathOf(md5)).Length;
            if (!dry)
            {
                store.Remove(md5);
            }
        }

        return (count, bytes);
    }

    /// <summary><c>dvc ls</c> for this repository: the tracked outputs, or the files of one tracked folder.</summary>
    public IReadOnlyList<DataListing> List(string? target, string baseDirectory)
    {
        var outputs = Outputs([], Repository.Root);
        if (target is null)
        {
            return outputs.Select(o => new DataListing(Repository.Relative(o.FullPath), o.Output.Md5 ?? "", o.Output.Size, o.Output.FileCount, Repository.Relative(o.DvcFilePath)))
                .OrderBy(l => l.Path, StringComparer.Ordinal).ToList();
        }

        var full = Path.GetFullPath(target, baseDirectory).TrimEnd(Path.DirectorySeparatorChar);
        var output = outputs.FirstOrDefault(o => o.FullPath == full)
            ?? throw new DataException(DataErrorKind.NotFound, $"'{Repository.Relative(full)}' is not a tracked output; 'fathom data ls' lists them.");
        if (!output.Output.IsDirectory)
        {
            return [new DataListing(Repository.Relative(output.FullPath), output.Output.Md5 ?? "", output.Output.Size, null, Repository.Relative(output.DvcFilePath))];
        }

        return Repository.Cache.ReadManifest(output.Output.Md5!)
            .Select(e => new DataListing($"{Repository.Relative(output.FullPath)}/{e.RelativePath}", e.Md5, Repository.Cache.Contains(e.Md5) ? new FileInfo(Repository.Cache.PathOf(e.Md5)).Length : null, null, null))
            .ToList();
    }
}
