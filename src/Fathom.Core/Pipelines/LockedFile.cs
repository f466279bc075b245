namespace Fathom.Pipelines;

/// <summary>
/// One dep or out of a <c>dvc.lock</c> stage entry: its path (relative to the stage's wdir) and content hash.
/// <see cref="HashName"/> is <c>"md5"</c> for DVC 3.x entries and null for 2.x entries (dos2unix md5).
/// <see cref="IsExecutable"/> is DVC's <c>isexec: true</c>, written for files with an execute bit (scripts).
/// </summary>
internal sealed record LockedFile(string Path, string? Md5, long? Size, int? FileCount, string? HashName = "md5", bool IsExecutable = false)
{
    /// <summary>The line of its <c>path</c> in the file read (0 for an entry made in memory), for messages.</summary>
    public int Line { get; init; }
}
