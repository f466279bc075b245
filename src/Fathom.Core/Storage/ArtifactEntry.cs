namespace Fathom.Storage;

/// <summary>One entry of an artifact listing: a path relative to the artifact root, as MLflow lists them.</summary>
public sealed record ArtifactEntry(string Path, bool IsDirectory, long? FileSize);
