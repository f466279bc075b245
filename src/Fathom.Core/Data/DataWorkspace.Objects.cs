namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// Fetches objects named by hash (a folder's <c>.dir</c> brings every file it lists) from a remote into the cache,
    /// for outputs recorded outside <c>.dvc</c> files (<c>dvc.lock</c>, as <c>dvc repro --pull</c> needs them).
    /// Returns the objects the remote lacks.
    /// </summary>
    public async Task<IReadOnlyList<string>> FetchObjectsAsync(IReadOnlyList<string> objects, string? remoteName, CancellationToken cancellationToken) =>
        (await FetchObjectsAsync(objects, remoteName, null, cancellationToken)).Missing;

    /// <summary>As <see cref="FetchObjectsAsync(IReadOnlyList{string}, string?, CancellationToken)"/>, with the counts <c>fetch</c> reports.</summary>
    public async Task<TransferResult> FetchObjectsAsync(IReadOnlyList<string> objects, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var cache = Repository.Cache;
        var todo = objects.Where(o => !cache.Contains(o)).Distinct(StringComparer.Ordinal).ToList();
        var files = objects.Where(o => !o.EndsWith(".dir", StringComparison.Ordinal)).ToList();
        if (todo.Count == 0 && objects.All(o => !o.EndsWith(".dir", StringComparison.Ordinal) || cache.ReadManifest(o).All(e => cache.Contains(e.Md5))))
        {
            return new TransferResult(0, 0, objects.Count, []);
        }

        var remote = Remote(remoteName);
        // dvc.lock entries are always 3.x (hash: md5), so their objects live in the remote's files/md5 layout.
        // Manifests first: they say which files a folder needs.
        var tally = new Tally(progress);
        var manifests = await DownloadAsync(remote, cache, legacy: false, todo.Where(o => o.EndsWith(".dir", StringComparison.Ordinal)).ToList(), tally, cancellationToken);
        foreach (var dir in objects.Where(o => o.EndsWith(".dir", StringComparison.Ordinal) && cache.Contains(o)))
        {
            files.AddRange(cache.ReadManifest(dir).Select(e => e.Md5));
        }

        files = files.Distinct(StringComparer.Ordinal).ToList();
        var rest = await DownloadAsync(remote, cache, legacy: false, files.Where(o => !cache.Contains(o)).ToList(), tally, cancellationToken);
        tally.Flush();
        return new TransferResult(
            manifests.Transferred + rest.Transferred,
            manifests.Bytes + rest.Bytes,
            files.Count - rest.Transferred - rest.Failed.Count,
            [.. manifests.Missing, .. rest.Missing])
        {
            Failed = [.. manifests.Failed, .. rest.Failed],
        };
    }
}
