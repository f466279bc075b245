namespace Fathom.Storage;

/// <summary>
/// Where a run's files live, addressed by paths relative to one root URI. A local folder implements it by
/// default; an S3-compatible bucket implements the same contract. Paths use '/' and never escape the root.
/// </summary>
public interface IArtifactStore
{
    /// <summary>The root URI, e.g. <c>file:///…/artifacts/1/&lt;run&gt;/artifacts</c>.</summary>
    string RootUri { get; }

    /// <summary>Stores a local file at <paramref name="artifactPath"/> (the full relative path, file name included).</summary>
    Task UploadFileAsync(string localFile, string artifactPath, CancellationToken cancellationToken);

    /// <summary>Stores the bytes of <paramref name="content"/> at <paramref name="artifactPath"/>, replacing any file there.</summary>
    Task UploadAsync(Stream content, string artifactPath, CancellationToken cancellationToken);

    /// <summary>The direct children of a folder (the root when <paramref name="path"/> is null or empty), sorted by path.</summary>
    Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken cancellationToken);

    /// <summary>Opens a stored file for reading; throws <see cref="FileNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Copies a stored file or folder into <paramref name="localDirectory"/> and returns the local path of the copy.</summary>
    Task<string> DownloadAsync(string path, string localDirectory, CancellationToken cancellationToken);

    /// <summary>Deletes a stored file or folder; absent paths are ignored.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// A local folder holding the artifacts under <paramref name="path"/>: the folder itself for a local store,
    /// a downloaded copy below <paramref name="scratchDirectory"/> otherwise.
    /// </summary>
    Task<string> GetLocalPathAsync(string path, string scratchDirectory, CancellationToken cancellationToken);
}
