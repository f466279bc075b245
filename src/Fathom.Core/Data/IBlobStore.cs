namespace Fathom.Data;

/// <summary>
/// A flat store of files under a root — a local folder or a bucket prefix — as remotes and <c>data sync</c> see it.
/// Keys are '/'-separated paths relative to the root. Writes are atomic: a reader never sees half a file.
/// </summary>
internal interface IBlobStore
{
    /// <summary>The root as the user wrote it, for messages.</summary>
    string Url { get; }

    /// <summary>Parallel transfers that suit this store when the user gave no <c>--jobs</c>.</summary>
    int DefaultJobs { get; }

    /// <summary>The local file behind a key, for stores on this machine (lets callers copy without streams); else null.</summary>
    string? LocalPath(string key);

    /// <summary>Every file below <paramref name="prefix"/> (a folder key, "" for all), with one listing rather than a request per file.</summary>
    Task<IReadOnlyList<BlobInfo>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The keys below <paramref name="prefix"/>, when sizes and times are not needed (cheaper for local folders).</summary>
    async Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) =>
        (await ListAsync(prefix, cancellationToken).ConfigureAwait(false)).Select(b => b.Key).ToList();

    /// <summary>One file's size and stamp, or null when absent (a HEAD request for buckets).</summary>
    Task<BlobInfo?> StatAsync(string key, CancellationToken cancellationToken);

    /// <summary>Reads a file; throws <see cref="FileNotFoundException"/> when it is absent.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a local file under <paramref name="key"/>, replacing what is there, atomically. <paramref name="md5"/> is
    /// the file's md5 when the caller already knows it (a cache object's id), for stores that can check it on arrival.
    /// </summary>
    Task UploadAsync(string key, string sourceFile, string? md5, CancellationToken cancellationToken);

    /// <summary>Deletes files; absent ones are ignored.</summary>
    Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);
}
