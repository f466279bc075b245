namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc gc --workspace</c>: deletes cache objects (and with <paramref name="cloud"/> remote objects) that no
    /// <c>.dvc</c> file in the workspace references; a folder's <c>.dir</c> object keeps every file it lists.
    /// </summary>
    public Task<GcResult> GcAsync(bool cloud, string? remoteName, bool dry, CancellationToken cancellationToken) =>
        GcAsync(cloud, remoteName, dry, allBranches: false, allTags: false, allCommits: false, cancellationToken);

    /// <summary>
    /// <c>dvc gc</c> with git scopes: besides the workspace, keeps what the <c>.dvc</c> files and <c>dvc.lock</c> outs
    /// of every branch head (<paramref name="allBranches"/>), tagged commit (<paramref name="allTags"/>) or commit
    /// (<paramref name="allCommits"/>) reference, as DVC's brancher always includes the workspace.
    /// </summary>
    public async Task<GcResult> GcAsync(bool cloud, string? remoteName, bool dry, bool allBranches, bool allTags, bool allCommits, CancellationToken cancellationToken)
    {
        var remote = cloud ? Remote(remoteName) : null;
        var outputs = Outputs([], Repository.Root).ToList();
        if (allBranches || allTags || allCommits)
        {
            var history = new GitHistory(Repository.Root);
            foreach (var commit in history.Revisions(allBranches, allTags, allCommits))
            {
                foreach (var (path, output) in history.OutputsAt(commit))
                {
                    outputs.Add(new TrackedOutput("", new DvcFile([output]), 0, output, Path.Combine(Repository.Root, path)));
                }
            }
        }

        // Folder manifests are read once each, up front: from the cache, or from the remote when sweeping it too.
        var manifests = new Dictionary<string, IReadOnlyList<ManifestEntry>?>(StringComparer.Ordinal);
        foreach (var md5 in outputs.Where(o => o.Output.IsDirectory && o.Output.Cache && o.Output.Md5 is not null).Select(o => o.Output.Md5!).Distinct(StringComparer.Ordinal))
        {
            manifests[md5] = remote is null ? CachedManifest(md5) : await ManifestAsync(remote, md5, cancellationToken);
        }

        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in outputs)
        {
            foreach (var (_, md5) in ObjectsOf(output, m => manifests.GetValueOrDefault(m)))
            {
                keep.Add(md5);
            }
        }

        var (cacheRemoved, cacheBytes) = Sweep(Repository.Cache, keep, dry);
        var (remoteRemoved, remoteBytes) = remote is null ? (0, 0L) : await SweepAsync(remote, keep, dry, cancellationToken);
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

    private static async Task<(int Count, long Bytes)> SweepAsync(IBlobStore remote, HashSet<string> keep, bool dry, CancellationToken cancellationToken)
    {
        var doomed = (await remote.ListAsync(RemoteLayout.Prefix, cancellationToken))
            .Where(b => RemoteLayout.ObjectId(b.Key) is { } id && !keep.Contains(id))
            .ToList();
        if (!dry && doomed.Count > 0)
        {
            await remote.DeleteAsync(doomed.Select(b => b.Key).ToList(), cancellationToken);
        }

        return (doomed.Count, doomed.Sum(b => b.Size));
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
