using System.Collections.Concurrent;

namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    // Up to this many objects, asking for each (HEAD) is cheaper than listing a remote that may hold millions.
    private const int ProbeLimit = 64;

    /// <summary>
    /// <c>dvc push</c>: uploads every object the outputs need that the remote lacks, in parallel; folder manifests go
    /// last, so an interrupted push never leaves a remote manifest whose files are not all there. Objects of 2.x entries
    /// go to the remote's 2.x layout, as DVC 3 pushes them. The outputs are those of <see cref="DataAndPipelineOutputs"/>,
    /// less those marked <c>push: false</c>; each goes to its own <c>remote:</c> when it names one (see <see cref="ByRemote"/>).
    /// </summary>
    public async Task<TransferResult> PushAsync(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var tally = new Tally(progress);
        var results = new List<TransferResult>();
        var selected = DataAndPipelineOutputs(targets, baseDirectory).Where(o => o.Output.Push).ToList();
        foreach (var (name, routed) in ByRemote(selected, remoteName))
        {
            var remote = Remote(name);
            foreach (var (legacy, outputs) in ByLayout(routed))
            {
                results.Add(await PushAsync(remote, outputs, legacy, tally, cancellationToken));
            }
        }

        tally.Flush();
        return Sum(results);
    }

    /// <summary>
    /// The outputs by the remote their objects live on, as DVC's index routes them: an output's own <c>remote:</c>, else
    /// <paramref name="remoteName"/> (null: the default remote). With <paramref name="remoteName"/> given, outputs bound
    /// to another remote are left out (DVC's <c>outs_filter</c> in dvc/repo/fetch.py), so <c>-r</c> never sends an
    /// output where it does not belong. The default remote's group comes first.
    /// </summary>
    private static IEnumerable<(string? Remote, IReadOnlyList<TrackedOutput> Outputs)> ByRemote(IReadOnlyList<TrackedOutput> outputs, string? remoteName) =>
        outputs
            .Where(o => remoteName is null || o.Output.Remote is null || o.Output.Remote == remoteName)
            .GroupBy(o => o.Output.Remote ?? remoteName)
            .OrderBy(g => g.Key is not null).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<TrackedOutput>)g.ToList()));

    /// <summary>
    /// <c>dvc fetch</c>: downloads the objects the outputs need that the cache lacks, folder manifests first, each
    /// verified against its md5 before it enters the cache. What already arrived is skipped, so a re-run resumes. As DVC
    /// does, an object that is missing or corrupt at the remote does not stop the others: it is reported in
    /// <see cref="TransferResult.Failed"/> (with the path that needs it) and stays out of the cache. Outputs marked
    /// <c>push: false</c> are fetched too, each from its own <c>remote:</c> when it names one, as DVC fetches them.
    /// </summary>
    public Task<TransferResult> FetchAsync(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken) =>
        FetchAsync(DataAndPipelineOutputs(targets, baseDirectory), remoteName, progress, cancellationToken);

    private async Task<TransferResult> FetchAsync(IReadOnlyList<TrackedOutput> selected, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var tally = new Tally(progress);
        var results = new List<TransferResult>();
        foreach (var (name, routed) in ByRemote(selected, remoteName))
        {
            var remote = Remote(name);
            foreach (var (legacy, outputs) in ByLayout(routed))
            {
                results.Add(await FetchAsync(remote, outputs, legacy, tally, cancellationToken));
            }
        }

        tally.Flush();
        return Sum(results);
    }

    /// <summary>
    /// <c>dvc pull</c>: fetch, then checkout of the same outputs (<c>.dvc</c> outputs and <c>dvc.lock</c> outs). As in
    /// DVC 3, whose fetch raises when any object failed to download, a failed fetch stops the pull before checkout:
    /// the workspace is left as it was, and what was fetched stays in the cache for the next pull or checkout.
    /// </summary>
    public async Task<(TransferResult Fetched, CheckoutResult Checkout)> PullAsync(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, bool force, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        // One selection for both steps: it walks the repository and parses every dvc.yaml and dvc.lock.
        var selected = DataAndPipelineOutputs(targets, baseDirectory);
        var fetched = await FetchAsync(selected, remoteName, progress, cancellationToken);
        return fetched.Failed.Count > 0
            ? (fetched, new CheckoutResult([], [], []))
            : (fetched, Checkout(selected, force, relink: false, null, cancellationToken));
    }

    private Task<TransferResult> PushAsync(IBlobStore remote, IReadOnlyList<TrackedOutput> outputs, bool legacy, Tally tally, CancellationToken cancellationToken)
    {
        var cache = legacy ? Repository.LegacyCache : Repository.Cache;
        var objects = outputs.SelectMany(o => ObjectsOf(o, m => CachedManifest(cache, m))).Select(o => o.Md5).Distinct(StringComparer.Ordinal).ToList();
        return PushObjectsAsync(remote, objects, legacy, tally, cancellationToken);
    }

    private async Task<TransferResult> PushObjectsAsync(IBlobStore remote, List<string> objects, bool legacy, Tally tally, CancellationToken cancellationToken)
    {
        var cache = legacy ? Repository.LegacyCache : Repository.Cache;
        var present = await PresentAsync(remote, objects, legacy, cancellationToken);
        var todo = objects.Where(o => !present.Contains(o)).ToList();
        // One listing of the cache rather than a stat per object when there are many.
        var cached = todo.Count > ProbeLimit ? cache.EnumerateObjects().ToHashSet(StringComparer.Ordinal) : null;
        var missing = todo.Where(o => !(cached?.Contains(o) ?? cache.Contains(o))).ToList();
        // Sorted, so parallel workers write into different prefix folders of the remote (see ParallelRanges).
        var copy = todo.Except(missing, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var jobs = TransferJobs ?? remote.DefaultJobs;
        long bytes = 0;
        foreach (var batch in copy.GroupBy(o => o.EndsWith(".dir", StringComparison.Ordinal)).OrderBy(g => g.Key).Select(g => g.ToList()))
        {
            if (remote is LocalBlobStore local)
            {
                ParallelRanges.ForEach(batch, jobs, md5 =>
                {
                    Interlocked.Add(ref bytes, local.Upload(RemoteLayout.Key(md5, legacy), cache.PathOf(md5)));
                    tally.Done();
                }, cancellationToken);
                continue;
            }

            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, async (md5, ct) =>
            {
                var source = cache.PathOf(md5);
                // A 3.x object's id is its content md5 (a manifest's, less ".dir"); a 2.x text object's is not.
                await remote.UploadAsync(RemoteLayout.Key(md5, legacy), source, legacy ? null : md5[..32], ct);
                Interlocked.Add(ref bytes, new FileInfo(source).Length);
                tally.Done();
            });
        }

        return new TransferResult(copy.Count, bytes, objects.Count - todo.Count, missing);
    }

    private async Task<TransferResult> FetchAsync(IBlobStore remote, IReadOnlyList<TrackedOutput> outputs, bool legacy, Tally tally, CancellationToken cancellationToken)
    {
        var cache = legacy ? Repository.LegacyCache : Repository.Cache;
        var manifests = outputs.Where(o => o.Output.IsDirectory && o.Output.Cache && o.Output.Md5 is not null).Select(o => o.Output.Md5!).Distinct(StringComparer.Ordinal).ToList();
        var first = await DownloadAsync(remote, cache, legacy, manifests.Where(m => !cache.Contains(m)).ToList(), null, cancellationToken);
        var needed = outputs.SelectMany(o => ObjectsOf(o, m => CachedManifest(cache, m))).ToList();
        var objects = needed.Select(o => o.Md5).Distinct(StringComparer.Ordinal).ToList();
        // One listing of the cache instead of a stat per object.
        var cached = cache.EnumerateObjects().ToHashSet(StringComparer.Ordinal);
        var todo = objects.Where(o => !cached.Contains(o)).Order(StringComparer.Ordinal).ToList();
        var second = await DownloadAsync(remote, cache, legacy, todo, tally, cancellationToken);
        // Name each failed object by the first path that needs it, as DVC's "name: …, md5: …" lines do.
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, md5) in needed)
        {
            paths.TryAdd(md5, path);
        }

        return new TransferResult(
            first.Transferred + second.Transferred,
            first.Bytes + second.Bytes,
            objects.Count - todo.Count - first.Transferred,
            [.. first.Missing, .. second.Missing])
        {
            Failed = [.. first.Failed.Concat(second.Failed).Select(f => f with { Path = paths.GetValueOrDefault(f.Md5) })],
        };
    }

    /// <summary>
    /// Downloads objects into the cache in parallel, verifying each; objects the remote lacks or holds corrupt are
    /// reported (in <see cref="TransferResult.Failed"/>, without a path), not fatal.
    /// </summary>
    private async Task<TransferResult> DownloadAsync(IBlobStore remote, ObjectCache cache, bool legacy, List<string> objects, Tally? tally, CancellationToken cancellationToken)
    {
        var missing = new ConcurrentBag<string>();
        var failed = new ConcurrentBag<FailedObject>();
        long bytes = 0, done = 0;
        var jobs = TransferJobs ?? remote.DefaultJobs;
        if (remote is LocalBlobStore local)
        {
            ParallelRanges.ForEach(objects, jobs, md5 =>
            {
                try
                {
                    Interlocked.Add(ref bytes, cache.SaveVerified(local.PathOf(RemoteLayout.Key(md5, legacy)), md5));
                    Interlocked.Increment(ref done);
                    tally?.Done();
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    missing.Add(md5);
                }
                catch (Exception e) when (e is DataException { Kind: DataErrorKind.Failure } or IOException)
                {
                    failed.Add(new FailedObject(md5, null, e.Message));
                }
            }, cancellationToken);
        }
        else
        {
            await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, async (md5, ct) =>
            {
                var key = RemoteLayout.Key(md5, legacy);
                try
                {
                    await using var stream = await remote.OpenReadAsync(key, ct);
                    Interlocked.Add(ref bytes, await cache.SaveVerifiedAsync(stream, md5, $"{remote.Url.TrimEnd('/')}/{key}", ct));
                    Interlocked.Increment(ref done);
                    tally?.Done();
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    missing.Add(md5);
                }
                catch (Exception e) when (e is DataException { Kind: DataErrorKind.Failure } or IOException or HttpRequestException)
                {
                    failed.Add(new FailedObject(md5, null, e.Message));
                }
            });
        }

        var missed = missing.Order(StringComparer.Ordinal).ToList();
        return new TransferResult((int)done, bytes, 0, missed)
        {
            Failed = [.. missed.Select(m => new FailedObject(m, null, "not on the remote")), .. failed.OrderBy(f => f.Md5, StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// Which of <paramref name="objects"/> the remote holds: a HEAD each when they are few, else one listing of the 3.x
    /// prefix, or for 2.x objects (which sit beside everything else at the root) a listing of each two-letter folder used.
    /// </summary>
    private async Task<HashSet<string>> PresentAsync(IBlobStore remote, List<string> objects, bool legacy, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        var jobs = TransferJobs ?? remote.DefaultJobs;
        if (objects.Count <= ProbeLimit)
        {
            var found = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, async (md5, ct) =>
            {
                if (await remote.StatAsync(RemoteLayout.Key(md5, legacy), ct) is not null)
                {
                    found.Add(md5);
                }
            });
            present.UnionWith(found);
            return present;
        }

        var prefixes = legacy ? objects.Select(o => o[..2] + "/").Distinct(StringComparer.Ordinal).ToList() : [RemoteLayout.Prefix];
        var listings = new ConcurrentBag<IReadOnlyList<string>>();
        await Parallel.ForEachAsync(prefixes, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, async (prefix, ct) =>
            listings.Add(await remote.ListKeysAsync(prefix, ct)));
        foreach (var key in listings.SelectMany(l => l))
        {
            if (RemoteLayout.ObjectId(key, legacy) is { } id)
            {
                present.Add(id);
            }
        }

        return present;
    }

    /// <summary>Reads a folder manifest from the cache, else straight from the remote (gc and status need it without fetching).</summary>
    private Task<IReadOnlyList<ManifestEntry>?> ManifestAsync(IBlobStore remote, string md5, CancellationToken cancellationToken) =>
        ManifestAsync(remote, md5, legacy: false, cancellationToken);

    private async Task<IReadOnlyList<ManifestEntry>?> ManifestAsync(IBlobStore remote, string md5, bool legacy, CancellationToken cancellationToken)
    {
        if (CachedManifest(legacy ? Repository.LegacyCache : Repository.Cache, md5) is { } cached)
        {
            return cached;
        }

        var key = RemoteLayout.Key(md5, legacy);
        try
        {
            await using var stream = await remote.OpenReadAsync(key, cancellationToken);
            using var reader = new StreamReader(stream);
            return ManifestEntry.ParseManifest(await reader.ReadToEndAsync(cancellationToken), $"{remote.Url.TrimEnd('/')}/{key}");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static IReadOnlyList<ManifestEntry>? CachedManifest(ObjectCache cache, string md5) => cache.Contains(md5) ? cache.ReadManifest(md5) : null;

    /// <summary>3.x outputs first, then 2.x ones: their objects live in different layouts of the cache and the remote.</summary>
    private static IEnumerable<(bool Legacy, IReadOnlyList<TrackedOutput> Outputs)> ByLayout(IReadOnlyList<TrackedOutput> outputs) =>
        outputs.GroupBy(o => o.Output.IsLegacy).OrderBy(g => g.Key).Select(g => (g.Key, (IReadOnlyList<TrackedOutput>)g.ToList()));

    private static TransferResult Sum(List<TransferResult> results) => new(
        results.Sum(r => r.Transferred),
        results.Sum(r => r.Bytes),
        results.Sum(r => r.Skipped),
        [.. results.SelectMany(r => r.Missing)])
    {
        Failed = [.. results.SelectMany(r => r.Failed)],
    };

    /// <summary>Counts finished objects across layouts and reports every 128th, so progress costs nothing per file.</summary>
    private sealed class Tally(IProgress<long>? progress)
    {
        private long _done;

        public void Done()
        {
            var n = Interlocked.Increment(ref _done);
            if ((n & 127) == 0)
            {
                progress?.Report(n);
            }
        }

        public void Flush() => progress?.Report(Interlocked.Read(ref _done));
    }
}
