using System.Collections.Concurrent;

namespace Fathom.Data;

/// <summary>
/// <c>fathom data sync</c>, the one-way incremental copy of <c>gsutil -m rsync -r</c>: every file of the source that
/// the destination lacks or holds in another version is copied; nothing is deleted unless asked.
/// </summary>
internal static class BlobSync
{
    /// <summary>Makes <paramref name="destination"/> hold what <paramref name="source"/> holds; <paramref name="progress"/> counts files examined.</summary>
    public static async Task<SyncResult> SyncAsync(IBlobStore source, IBlobStore destination, bool delete, bool dryRun, int? jobs, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var sourceFiles = await source.ListAsync("", cancellationToken);
        if (sourceFiles.Count == 0 && source.LocalPath("") is { } folder && !Directory.Exists(folder))
        {
            throw new DataException(DataErrorKind.NotFound, $"'{folder}' does not exist; nothing to sync from.");
        }

        if (destination is LocalBlobStore local)
        {
            // Keys are the source's data: each must land inside the destination, checked before anything is copied.
            foreach (var file in sourceFiles)
            {
                if (local.Confine(file.Key).Refusal is { } refusal)
                {
                    throw new DataException(DataErrorKind.InvalidInput, $"{source.Url}: '{file.Key}' {refusal}; it cannot be synced into '{local.Root}', so nothing was synced.");
                }
            }
        }

        var existing = (await destination.ListAsync("", cancellationToken)).ToDictionary(b => b.Key, StringComparer.Ordinal);
        var changes = new ConcurrentBag<SyncChange>();
        long bytes = 0, done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = jobs ?? Math.Max(source.DefaultJobs, destination.DefaultJobs), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(sourceFiles, options, async (file, ct) =>
        {
            if (!Unchanged(source, destination, file, existing.GetValueOrDefault(file.Key)))
            {
                if (!dryRun)
                {
                    await CopyAsync(source, destination, file, ct);
                }

                Interlocked.Add(ref bytes, file.Size);
                changes.Add(new SyncChange(file.Key, "copy", file.Size));
            }

            if ((Interlocked.Increment(ref done) & 63) == 0)
            {
                progress?.Report(done);
            }
        });

        var deleted = 0;
        if (delete)
        {
            var wanted = sourceFiles.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
            var extra = existing.Values.Where(b => !wanted.Contains(b.Key)).ToList();
            if (!dryRun && extra.Count > 0)
            {
                await destination.DeleteAsync(extra.Select(b => b.Key).ToList(), cancellationToken);
            }

            foreach (var blob in extra)
            {
                changes.Add(new SyncChange(blob.Key, "delete", blob.Size));
            }

            deleted = extra.Count;
        }

        progress?.Report(sourceFiles.Count);
        var ordered = changes.OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        var copied = ordered.Count(c => c.Action == "copy");
        return new SyncResult(copied, bytes, sourceFiles.Count - copied, deleted, ordered, dryRun);
    }

    /// <summary>
    /// Whether the destination already holds this version. Local files compare by size and modification time (sync
    /// stamps what it writes with the source's time); bucket objects by size and the md5 their ETag proves. A multipart
    /// ETag is no md5, so there the times decide: an object uploaded after the local file last changed is current.
    /// </summary>
    public static bool Unchanged(IBlobStore source, IBlobStore destination, BlobInfo file, BlobInfo? there)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(file);
        if (there is null || there.Size != file.Size)
        {
            return false;
        }

        var sourcePath = source.LocalPath(file.Key);
        var destinationPath = destination.LocalPath(there.Key);
        if (sourcePath is not null && destinationPath is not null)
        {
            return Math.Abs((file.LastModified - there.LastModified).TotalMilliseconds) < 1;
        }

        if (sourcePath is null && destinationPath is null)
        {
            return file.Md5 is { } a && there.Md5 is { } b ? a == b : file.ETag == there.ETag;
        }

        var (local, remote, localPath) = sourcePath is not null ? (file, there, sourcePath) : (there, file, destinationPath!);
        // A download is stamped with the object's time, which buckets keep in whole seconds.
        if (sourcePath is null && local.LastModified.ToUnixTimeSeconds() == remote.LastModified.ToUnixTimeSeconds())
        {
            return true;
        }

        if (remote.Md5 is { } md5)
        {
            return FileMd5.Hash(localPath) == md5;
        }

        // A multipart ETag proves nothing about content: an upload newer than the local file's last change is current.
        return sourcePath is not null && remote.LastModified >= local.LastModified;
    }

    private static bool SameSecond(DateTimeOffset a, DateTimeOffset b) => a.ToUnixTimeSeconds() == b.ToUnixTimeSeconds();

    private static async Task CopyAsync(IBlobStore source, IBlobStore destination, BlobInfo file, CancellationToken cancellationToken)
    {
        var sourcePath = source.LocalPath(file.Key);
        if (destination is LocalBlobStore local)
        {
            if (sourcePath is not null)
            {
                local.CopyIn(file.Key, sourcePath, file.LastModified);
            }
            else
            {
                await using var input = await source.OpenReadAsync(file.Key, cancellationToken);
                await local.WriteAsync(file.Key, input, file.LastModified, cancellationToken);
            }

            return;
        }

        if (sourcePath is not null)
        {
            await destination.UploadAsync(file.Key, sourcePath, null, cancellationToken);
            return;
        }

        // Bucket to bucket: S3 needs a length up front, so spool through a temporary file.
        var temp = Path.Combine(Path.GetTempPath(), $"fathom-sync-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var input = await source.OpenReadAsync(file.Key, cancellationToken))
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await input.CopyToAsync(output, cancellationToken);
            }

            await destination.UploadAsync(file.Key, temp, null, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
