namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary><c>dvc push</c>: uploads every object the outputs need that the remote lacks, in parallel.</summary>
    public TransferResult Push(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var remote = Remote(remoteName);
        var objects = Outputs(targets, baseDirectory).SelectMany(o => ObjectsOf(o, CachedManifest)).Select(o => o.Md5).Distinct(StringComparer.Ordinal).ToList();
        return Transfer(Repository.Cache, remote, objects, verify: false, progress, cancellationToken);
    }

    /// <summary>
    /// <c>dvc fetch</c>: downloads the objects the outputs need that the cache lacks, folder manifests first, each
    /// verified against its md5 before it enters the cache.
    /// </summary>
    public TransferResult Fetch(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var remote = Remote(remoteName);
        var outputs = Outputs(targets, baseDirectory);
        var manifests = outputs.Where(o => o.Output.IsDirectory && o.Output.Cache).Select(o => o.Output.Md5!).Distinct(StringComparer.Ordinal).ToList();
        var first = Transfer(remote, Repository.Cache, manifests, verify: true, null, cancellationToken);
        var objects = outputs.SelectMany(o => ObjectsOf(o, CachedManifest)).Select(o => o.Md5).Distinct(StringComparer.Ordinal).ToList();
        var second = Transfer(remote, Repository.Cache, objects, verify: true, progress, cancellationToken);
        return second with
        {
            Transferred = first.Transferred + second.Transferred,
            Bytes = first.Bytes + second.Bytes,
            Skipped = second.Skipped - first.Transferred,
        };
    }

    /// <summary><c>dvc pull</c>: fetch, then checkout.</summary>
    public (TransferResult Fetched, CheckoutResult Checkout) Pull(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, bool force, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var fetched = Fetch(targets, baseDirectory, remoteName, progress, cancellationToken);
        return (fetched, Checkout(targets, baseDirectory, force, relink: false, null, cancellationToken));
    }

    /// <summary>
    /// Copies the objects <paramref name="to"/> lacks, <see cref="Jobs"/> at a time. Listing the destination once is far
    /// cheaper than asking per object; an interrupted transfer resumes by skipping what already arrived.
    /// </summary>
    private TransferResult Transfer(ObjectCache from, ObjectCache to, List<string> objects, bool verify, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var present = to.EnumerateObjects().ToHashSet(StringComparer.Ordinal);
        var todo = objects.Where(o => !present.Contains(o)).ToList();
        var missing = todo.Where(o => !from.Contains(o)).ToList();
        var copy = todo.Except(missing, StringComparer.Ordinal).ToList();
        long bytes = 0, done = 0;
        try
        {
            Parallel.ForEach(copy, new ParallelOptions { MaxDegreeOfParallelism = Jobs, CancellationToken = cancellationToken }, md5 =>
            {
                var size = verify ? to.SaveVerified(from.PathOf(md5), md5) : from.CopyTo(to, md5);
                Interlocked.Add(ref bytes, size);
                var n = Interlocked.Increment(ref done);
                if ((n & 127) == 0)
                {
                    progress?.Report(n);
                }
            });
        }
        catch (AggregateException e)
        {
            // One clear failure beats a bundle: report the first, as the others are usually the same cause.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }

        progress?.Report(copy.Count);
        return new TransferResult(copy.Count, bytes, objects.Count - todo.Count, missing);
    }
}
