using System.Collections.Concurrent;

namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    // Up to this many objects, asking for each (HEAD) is cheaper than listing a remote that may hold millions.
    private const int ProbeLimit = 64;

    /// <summary>
    /// <c>dvc push</c>: uploads every object the outputs need that the remote lacks, in parallel; folder manifests go
    /// last, so an interrupted push never leaves a remote manifest whose files are not all there.
    /// </summary>
    public async Task<TransferResult> PushAsync(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var remote = Remote(remoteName);
        var cache = Repository.Cache;
        var objects = Outputs(targets, baseDirectory).SelectMany(o => ObjectsOf(o, CachedManifest)).Select(o => o.Md5).Distinct(StringComparer.Ordinal).ToList();
        var present = await PresentAsync(remote, objects, cancellationToken);
        var todo = objects.Where(o => !present.Contains(o)).ToList();
        var missing = todo.Where(o => !cache.Contains(o)).ToList();
        var copy = todo.Except(missing, StringComparer.Ordinal).ToList();
        long bytes = 0, done = 0;
        var jobs = TransferJobs ?? remote.DefaultJobs;
        foreach (var batch in copy.GroupBy(o => o.EndsWith(".dir", StringComparison.Ordinal)).OrderBy(g => g.Key))
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, async (md5, ct) =>
            {
                var source = cache.PathOf(md5);
                var key = RemoteLayout.Key(md5);
                if (remote is LocalBlobStore local)
                {
                    // The local fast path: a plain synchronous copy, no stream or stat per object.
                    Interlocked.Add(ref bytes, local.Upload(key, source));
                }
                else
                {
                    await remote.UploadAsync(key, source, ct);
                    Interlocked.Add(ref bytes, new FileInfo(source).Length);
                }

                Report(progress, Interlocked.Increment(ref done));
            });
        }

        progress?.Report(copy.Count);
        return new TransferResult(copy.Count, bytes, objects.Count - todo.Count, missing);
    }

    /// <summary>
    /// <c>dvc fetch</c>: downloads the objects the outputs need that the cache lacks, folder manifests first, each
    /// verified against its md5 before it enters the cache. What already arrived is skipped, so a re-run resumes.
    /// </summary>
    public async Task<TransferResult> FetchAsync(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var remote = Remote(remoteName);
        var cache = Repository.Cache;
        var outputs = Outputs(targets, baseDirectory);
        var manifests = outputs.Where(o => o.Output.IsDirectory && o.Output.Cache && o.Output.Md5 is not null).Select(o => o.Output.Md5!).Distinct(StringComparer.Ordinal).ToList();
        var first = await DownloadAsync(remote, manifests.Where(m => !cache.Contains(m)).ToList(), null, cancellationToken);
        var objects = outputs.SelectMany(o => ObjectsOf(o, CachedManifest)).Select(o => o.Md5).Distinct(StringComparer.Ordinal).ToList();
        // One listing of the cache instead of a stat per object.
        var cached = cache.EnumerateObjects().ToHashSet(StringComparer.Ordinal);
        var todo = objects.Where(o => !cached.Contains(o)).ToList();
        var second = await DownloadAsync(remote, todo, progress, cancellationToken);
        return new TransferResult(
            first.Transferred + second.Transferred,
            first.Bytes + second.Bytes,
            objects.Count - todo.Count - first.Transferred,
            [.. first.Missing, .. second.Missing]);
    }

    /// <summary><c>dvc pull</c>: fetch, then checkout.</summary>
    public async Task<(TransferResult Fetched, CheckoutResult Checkout)> PullAsync(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, bool force, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var fetched = await FetchAsync(targets, baseDirectory, remoteName, progress, cancellationToken);
        return (fetched, Checkout(targets, baseDirectory, force, relink: false, null, cancellationToken));
    }

    /// <summary>Downloads objects into the cache in parallel, verifying each; objects the remote lacks are reported, not fatal.</summary>
    private async Task<TransferResult> DownloadAsync(IBlobStore remote, List<string> objects, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var cache = Repository.Cache;
        var missing = new ConcurrentBag<string>();
        long bytes = 0, done = 0;
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = TransferJobs ?? remote.DefaultJobs, CancellationToken = cancellationToken }, async (md5, ct) =>
        {
            var key = RemoteLayout.Key(md5);
            try
            {
                long size;
                if (remote.LocalPath(key) is { } path)
                {
                    size = cache.SaveVerified(path, md5);
                }
                else
                {
                    await using var stream = await remote.OpenReadAsync(key, ct);
                    size = await cache.SaveVerifiedAsync(stream, md5, $"{remote.Url.TrimEnd('/')}/{key}", ct);
                }

                Interlocked.Add(ref bytes, size);
                Report(progress, Interlocked.Increment(ref done));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                missing.Add(md5);
            }
        });
        progress?.Report(done);
        return new TransferResult((int)done, bytes, 0, [.. missing.Order(StringComparer.Ordinal)]);
    }

    /// <summary>Which of <paramref name="objects"/> the remote holds: a HEAD each when they are few, else one listing.</summary>
    private async Task<HashSet<string>> PresentAsync(IBlobStore remote, List<string> objects, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        if (objects.Count <= ProbeLimit)
        {
            var found = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = TransferJobs ?? remote.DefaultJobs, CancellationToken = cancellationToken }, async (md5, ct) =>
            {
                if (await remote.StatAsync(RemoteLayout.Key(md5), ct) is not null)
                {
                    found.Add(md5);
                }
            });
            present.UnionWith(found);
            return present;
        }

        foreach (var key in await remote.ListKeysAsync(RemoteLayout.Prefix, cancellationToken))
        {
            if (RemoteLayout.ObjectId(key) is { } id)
            {
                present.Add(id);
            }
        }

        return present;
    }

    /// <summary>Reads a folder manifest from the cache, else straight from the remote (gc and status need it without fetching).</summary>
    private async Task<IReadOnlyList<ManifestEntry>?> ManifestAsync(IBlobStore remote, string md5, CancellationToken cancellationToken)
    {
        if (CachedManifest(md5) is { } cached)
        {
            return cached;
        }

        try
        {
            await using var stream = await remote.OpenReadAsync(RemoteLayout.Key(md5), cancellationToken);
            using var reader = new StreamReader(stream);
            return ManifestEntry.ParseManifest(await reader.ReadToEndAsync(cancellationToken), $"{remote.Url.TrimEnd('/')}/{RemoteLayout.Key(md5)}");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void Report(IProgress<long>? progress, long done)
    {
        if ((done & 127) == 0)
        {
            progress?.Report(done);
        }
    }
}
