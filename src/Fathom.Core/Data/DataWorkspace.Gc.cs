namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary><c>dvc gc --workspace</c> (with <paramref name="cloud"/>, <c>-c</c>): see <see cref="GcAsync(GcOptions, CancellationToken)"/>.</summary>
    public Task<GcResult> GcAsync(bool cloud, string? remoteName, bool dry, CancellationToken cancellationToken) =>
        GcAsync(new GcOptions { Workspace = true, Cloud = cloud, Remote = remoteName, Dry = dry }, cancellationToken);

    /// <summary>
    /// <c>dvc gc</c>: deletes cache objects (with <see cref="GcOptions.Cloud"/> remote objects too) that nothing kept
    /// references. Kept: the workspace's <c>.dvc</c> outputs and cached <c>dvc.lock</c> outs, and those recorded at the
    /// git revisions the scopes select; a folder's <c>.dir</c> object keeps every file it lists. Both layouts are swept
    /// with one keep set, as DVC 3 does: the 3.x <c>files/md5/</c> and the 2.x <c>ab/cdef…</c> objects of the cache
    /// and of the remote.
    /// </summary>
    public async Task<GcResult> GcAsync(GcOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw new DataException(DataErrorKind.InvalidInput, invalid);
        }

        var remote = options.Cloud || options.NotInRemote ? Remote(options.Remote) : null;
        var outputs = new List<TrackedOutput>();
        // This repository, then each project sharing its cache (dvc gc -p): their workspaces and selected revisions.
        foreach (var project in options.Projects.Select(p => new DataWorkspace(DvcRepository.Discover(p))).Prepend(this))
        {
            outputs.AddRange(project.DataAndPipelineOutputs([], project.Repository.Root));
            if (options.UsesGit)
            {
                var history = new GitHistory(project.Repository.Root);
                foreach (var commit in history.Revisions(options))
                {
                    foreach (var (path, output) in history.OutputsAt(commit))
                    {
                        outputs.Add(new TrackedOutput("", new DvcFile([output]), 0, output, Path.Combine(project.Repository.Root, path)));
                    }
                }
            }
        }

        // Folder manifests are read once each, up front: from the cache, or from the remote when one is involved.
        var manifests = new Dictionary<string, IReadOnlyList<ManifestEntry>?>(StringComparer.Ordinal);
        foreach (var output in outputs.Where(o => o.Output.IsDirectory && o.Output.Cache).DistinctBy(o => o.Output.Md5, StringComparer.Ordinal))
        {
            var md5 = output.Output.Md5!;
            manifests[md5] = remote is null
                ? CachedManifest(Repository.CacheFor(output.Output), md5)
                : await ManifestAsync(remote, md5, output.Output.IsLegacy, cancellationToken);
        }

        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in outputs)
        {
            foreach (var (_, md5) in ObjectsOf(output, m => manifests.GetValueOrDefault(m)))
            {
                keep.Add(md5);
            }
        }

        var listing = remote is null ? null : await RemoteObjectsAsync(remote, cancellationToken);
        // --not-in-remote: what the remote already holds may leave the cache (dvc fetch brings it back).
        var onRemote = listing?.Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
        var keepLocal = options.NotInRemote ? keep.Where(id => !onRemote!.Contains(id)).ToHashSet(StringComparer.Ordinal) : keep;
        var removed = new List<GcObject>();
        removed.AddRange(Sweep(Repository.Cache, keepLocal, options.Dry));
        removed.AddRange(Sweep(Repository.LegacyCache, keepLocal, options.Dry));
        if (options.Cloud)
        {
            var doomed = listing!.Where(o => !keep.Contains(o.Id)).ToList();
            if (!options.Dry && doomed.Count > 0)
            {
                await remote!.DeleteAsync(doomed.Select(o => o.Blob.Key).ToList(), cancellationToken);
            }

            removed.AddRange(doomed.Select(o => new GcObject(true, o.Id, o.Blob.Size, o.Blob.LastModified, $"{remote!.Url.TrimEnd('/')}/{o.Blob.Key}")));
        }

        var fromCache = removed.Where(o => !o.Remote).ToList();
        var fromRemote = removed.Where(o => o.Remote).ToList();
        return new GcResult(fromCache.Count, fromCache.Sum(o => o.Size), fromRemote.Count, fromRemote.Sum(o => o.Size), keep.Count, options.Dry)
        {
            Objects = removed,
        };
    }

    private static List<GcObject> Sweep(ObjectCache store, HashSet<string> keep, bool dry)
    {
        var removed = new List<GcObject>();
        foreach (var md5 in store.EnumerateObjects().Where(o => !keep.Contains(o)).Order(StringComparer.Ordinal).ToList())
        {
            var path = store.PathOf(md5);
            var info = new FileInfo(path);
            removed.Add(new GcObject(false, md5, info.Length, info.LastWriteTimeUtc, path));
            if (!dry)
            {
                store.Remove(md5);
            }
        }

        return removed;
    }

    /// <summary>
    /// The objects on a remote in either layout, from one listing of its root: 3.x under <c>files/md5/</c>, 2.x as
    /// <c>ab/cdef…</c> at the root. Anything else there (run cache, temporaries, unrelated files) is not an object.
    /// </summary>
    private static async Task<List<(string Id, BlobInfo Blob)>> RemoteObjectsAsync(IBlobStore remote, CancellationToken cancellationToken)
    {
        var objects = new List<(string, BlobInfo)>();
        foreach (var blob in await remote.ListAsync("", cancellationToken))
        {
            if ((RemoteLayout.ObjectId(blob.Key) ?? RemoteLayout.ObjectId(blob.Key, legacy: true)) is { } id)
            {
                objects.Add((id, blob));
            }
        }

        return objects.OrderBy(o => o.Item1, StringComparer.Ordinal).ToList();
    }
}
