namespace Fathom.Data;

/// <summary>One output of one <c>.dvc</c> file, with where it lives in the workspace.</summary>
internal sealed record TrackedOutput(string DvcFilePath, DvcFile File, int Index, DvcOutput Output, string FullPath);
