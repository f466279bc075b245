namespace Fathom.Storage;

/// <summary>Operations every artifact store gets from its basic ones.</summary>
public static class ArtifactStoreExtensions
{
    /// <summary>Uploads the contents of a local folder below <paramref name="artifactPath"/>, files in parallel.</summary>
    public static async Task UploadDirectoryAsync(this IArtifactStore store, string localDirectory, string? artifactPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var root = Path.GetFullPath(localDirectory);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories);
        await Parallel.ForEachAsync(files, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = 8 }, async (file, ct) =>
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            await store.UploadFileAsync(file, ArtifactPaths.Combine(artifactPath, relative), ct);
        });
    }

    /// <summary>Every file below <paramref name="path"/>, recursively.</summary>
    public static async Task<IReadOnlyList<ArtifactEntry>> ListRecursiveAsync(this IArtifactStore store, string? path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<ArtifactEntry>();
        var pending = new Stack<string?>();
        pending.Push(path);
        while (pending.Count > 0)
        {
            foreach (var entry in await store.ListAsync(pending.Pop(), cancellationToken))
            {
                if (entry.IsDirectory)
                {
                    pending.Push(entry.Path);
                }
                else
                {
                    result.Add(entry);
                }
            }
        }

        return result.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Downloads a file or a folder through <see cref="IArtifactStore.ListAsync"/> and <see cref="IArtifactStore.OpenReadAsync"/>,
    /// files in parallel, each written under a temporary name and renamed: how a remote store implements
    /// <see cref="IArtifactStore.DownloadAsync"/>. Returns the local path of the copy.
    /// </summary>
    public static async Task<string> DownloadByListingAsync(this IArtifactStore store, string path, string localDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var relative = ArtifactPaths.Normalise(path);
        var target = Path.Combine(localDirectory, relative.Length > 0 ? relative.Split('/')[^1] : "artifacts");
        var files = await store.ListRecursiveAsync(relative, cancellationToken);
        if (files.Count == 0)
        {
            Directory.CreateDirectory(localDirectory);
            await DownloadFileAsync(store, relative, target, cancellationToken);
            return target;
        }

        await Parallel.ForEachAsync(files, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = 8 }, async (file, ct) =>
        {
            var local = Path.Combine(target, (relative.Length == 0 ? file.Path : file.Path[(relative.Length + 1)..]).Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await DownloadFileAsync(store, file.Path, local, ct);
        });
        return target;
    }

    private static async Task DownloadFileAsync(IArtifactStore store, string relative, string local, CancellationToken cancellationToken)
    {
        var temp = local + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var source = await store.OpenReadAsync(relative, cancellationToken))
            await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await source.CopyToAsync(destination, cancellationToken);
            }

            File.Move(temp, local, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
