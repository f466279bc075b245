namespace Fathom.Data;

/// <summary>An output written by add or commit: its <c>.dvc</c> file (repository-relative) and hash.</summary>
internal sealed record SavedOutput(string DvcFile, string Path, ContentHash Hash, bool Changed);
