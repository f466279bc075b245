namespace Fathom.Storage;

/// <summary>Artifacts in a local folder. Files are written under a temporary name and renamed, so a reader never sees half a file.</summary>
internal sealed class LocalArtifactStore : IArtifactStore
{
    private readonly string _root;

    public LocalArtifactStore(string rootDirectory)
    {
        _root = Path.GetFullPath(rootDirectory);
        RootUri = new Uri(_root).AbsoluteUri;
    }

    public string RootUri { get; }

    public async Task UploadFileAsync(string localFile, string artifactPath, CancellationToken cancellationToken)
    {
        await using var source = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await UploadAsync(source, artifactPath, cancellationToken);
    }

    public async Task UploadAsync(Stream content, string artifactPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var target = Resolve(artifactPath);
        if (target == _root)
        {
            throw new ArgumentException("An artifact file needs a path below the root.", nameof(artifactPath));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await content.CopyToAsync(destination, cancellationToken);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken cancellationToken)
    {
        var relative = ArtifactPaths.Normalise(path);
        var directory = Resolve(relative);
        IReadOnlyList<ArtifactEntry> entries = !Directory.Exists(directory)
            ? []
            : new DirectoryInfo(directory).EnumerateFileSystemInfos()
                .Where(i => !i.Name.Contains(".tmp-", StringComparison.Ordinal))
                .Select(i => new ArtifactEntry(ArtifactPaths.Combine(relative, i.Name), i is DirectoryInfo, i is FileInfo f ? f.Length : null))
                .OrderBy(e => e.Path, StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(entries);
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var file = Resolve(path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No artifact at '{ArtifactPaths.Normalise(path)}' under {RootUri}.", file);
        }

        return Task.FromResult<Stream>(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public async Task<string> DownloadAsync(string path, string localDirectory, CancellationToken cancellationToken)
    {
        var source = Resolve(path);
        var name = ArtifactPaths.Normalise(path) is { Length: > 0 } p ? p.Split('/')[^1] : "artifacts";
        var target = Path.Combine(localDirectory, name);
        if (File.Exists(source))
        {
            Directory.CreateDirectory(localDirectory);
            await CopyFileAsync(source, target, cancellationToken);
            return target;
        }

        if (!Directory.Exists(source))
        {
            throw new FileNotFoundException($"No artifact at '{ArtifactPaths.Normalise(path)}' under {RootUri}.", source);
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            await CopyFileAsync(file, destination, cancellationToken);
        }

        return target;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var target = Resolve(path);
        if (File.Exists(target))
        {
            File.Delete(target);
        }
        else if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        return Task.CompletedTask;
    }

    public Task<string> GetLocalPathAsync(string path, string scratchDirectory, CancellationToken cancellationToken) =>
        Task.FromResult(Resolve(path));

    private string Resolve(string? path)
    {
        var relative = ArtifactPaths.Normalise(path);
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        // Normalise already refuses '..'; this is the belt to its braces.
        if (!full.StartsWith(_root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid artifact path '{path}'.", nameof(path));
        }

        return full;
    }

    private static async Task CopyFileAsync(string source, string target, CancellationToken cancellationToken)
    {
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await input.CopyToAsync(output, cancellationToken);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
