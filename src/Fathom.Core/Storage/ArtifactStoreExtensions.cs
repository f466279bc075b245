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
}
