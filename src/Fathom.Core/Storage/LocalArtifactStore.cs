namespace Fathom.Storage;

/// <summary>
/// Artifacts in a local folder. Files are written under a temporary name and renamed, so a reader never sees half a file.
/// Every path is resolved by <see cref="PathConfinement"/>: no request reaches outside the folder, neither by <c>..</c>
/// nor through a symbolic link planted inside it (a link that stays inside is followed). A refused path is an
/// <see cref="UnauthorizedAccessException"/>, which reads and downloads report as an absent artifact.
/// </summary>
internal sealed partial class LocalArtifactStore : IArtifactStore
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

    public Task UploadAsync(Stream content, string artifactPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return WriteAsync(artifactPath, destination => content.CopyToAsync(destination, cancellationToken), cancellationToken);
    }

    /// <summary>Writes the file at <paramref name="artifactPath"/> whole or not at all: under a temporary name, then renamed.</summary>
    private async Task WriteAsync(string artifactPath, Func<FileStream, Task> write, CancellationToken cancellationToken)
    {
        var target = Resolve(artifactPath, Confinement());
        if (target == _root)
        {
            throw new ArgumentException("An artifact file needs a path below the root.", nameof(artifactPath));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            // CreateNew on a fresh name never follows a link; the rename then replaces the name itself.
            await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(destination);
                await destination.FlushAsync(cancellationToken);
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
        var paths = Confinement();
        var directory = Resolve(relative, paths);
        IReadOnlyList<ArtifactEntry> entries = !Directory.Exists(directory)
            ? []
            : new DirectoryInfo(directory).EnumerateFileSystemInfos()
                .Where(i => !i.Name.Contains(".tmp-", StringComparison.Ordinal) && !(relative.Length == 0 && i.Name == StagingFolder)
                    && !LeadsOut(i, paths) && ArtifactPaths.ListedChild(relative, i.Name) is not null)
                .Select(i => new ArtifactEntry(ArtifactPaths.ListedChild(relative, i.Name)!, i is DirectoryInfo, i is FileInfo f ? f.Length : null))
                .OrderBy(e => e.Path, StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(entries);
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var paths = Confinement();
        var file = Resolve(path, paths);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No artifact at '{ArtifactPaths.Normalise(path)}' under {RootUri}.", file);
        }

        return Task.FromResult<Stream>(OpenConfined(file, path, paths));
    }

    public async Task<string> DownloadAsync(string path, string localDirectory, CancellationToken cancellationToken)
    {
        var paths = Confinement();
        var source = Resolve(path, paths);
        var name = ArtifactPaths.Normalise(path) is { Length: > 0 } p ? p.Split('/')[^1] : "artifacts";
        var target = Path.Combine(localDirectory, name);
        if (File.Exists(source))
        {
            Directory.CreateDirectory(localDirectory);
            await CopyFileAsync(OpenConfined(source, path, paths), target, cancellationToken);
            return target;
        }

        if (!Directory.Exists(source))
        {
            throw new FileNotFoundException($"No artifact at '{ArtifactPaths.Normalise(path)}' under {RootUri}.", source);
        }

        // The enumeration follows links to folders: each file is opened through the same check as a single read.
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var shown = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            await CopyFileAsync(OpenConfined(Refuse(new ConfinedPath(file, paths.LinkRefusal(file, includeFinal: true)), shown), shown, paths), destination, cancellationToken);
        }

        return target;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        // Resolve refuses a link leading out, so this never deletes through one; a recursive delete unlinks links
        // inside the folder and does not follow them.
        var target = Resolve(path, Confinement());
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
        Task.FromResult(Resolve(path, Confinement()));

    /// <summary>
    /// A confinement for one operation: the folders it proves are remembered for that operation only, since a store
    /// may live long (a server) while others write into its folder.
    /// </summary>
    private PathConfinement Confinement() => new(_root, "the artifact folder");

    /// <summary>The full path of an artifact path, refused when it leaves the folder lexically or through a link.</summary>
    private string Resolve(string? path, PathConfinement paths)
    {
        var relative = ArtifactPaths.Normalise(path);
        if (IsStaging(relative))
        {
            throw new UnauthorizedAccessException($"Artifact path '{relative}' is in the folder kept for unfinished multipart uploads.");
        }

        // The folder itself (a listing of the root) is trusted: it is configuration, not data.
        return relative.Length == 0 ? _root : Refuse(paths.ConfineBelow(relative, guardMetadata: false, includeFinal: true), relative);
    }

    private static string Refuse(ConfinedPath confined, string shown) =>
        confined.Refusal is { } refusal ? throw new UnauthorizedAccessException($"Artifact path '{shown}' {refusal}.") : confined.FullPath;

    /// <summary>
    /// Opens a file whose path was checked, then checks where the kernel opened it: a link swapped in between the two
    /// cannot make a read escape (on Linux; elsewhere the path check alone holds).
    /// </summary>
    private static FileStream OpenConfined(string file, string? shown, PathConfinement paths)
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        if (paths.OpenedFileRefusal(stream.SafeFileHandle) is { } refusal)
        {
            stream.Dispose();
            throw new UnauthorizedAccessException($"Artifact path '{ArtifactPaths.Normalise(shown)}' {refusal}.");
        }

        return stream;
    }

    /// <summary>A listed entry that is a link leading out of the folder: not listed, since it cannot be read either.</summary>
    private static bool LeadsOut(FileSystemInfo info, PathConfinement paths) =>
        info.Attributes.HasFlag(FileAttributes.ReparsePoint) && paths.LinkRefusal(info.FullName, includeFinal: true) is not null;

    private static async Task CopyFileAsync(FileStream input, string target, CancellationToken cancellationToken)
    {
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (input)
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
