namespace Fathom.Data;

/// <summary>
/// One entry of a <c>.dvc</c> file's <c>outs</c>. <see cref="HashName"/> is <c>"md5"</c> for DVC 3.x entries and null
/// for legacy 2.x entries (whose md5 was computed with dos2unix semantics).
/// </summary>
internal sealed record DvcOutput(string Path, string? Md5, long? Size, int? FileCount, bool IsExecutable, string? HashName = "md5", bool Cache = true)
{
    public bool IsDirectory => Md5 is not null && Md5.EndsWith(".dir", StringComparison.Ordinal);

    public bool IsLegacy => HashName is null;

    /// <summary>DVC's per-output <c>remote:</c>: push, fetch and pull move this output's objects to and from that remote.</summary>
    public string? Remote { get; init; }

    /// <summary>DVC's per-output <c>push:</c> (default true): false keeps the output out of push and <c>status -c</c>; fetch still brings it.</summary>
    public bool Push { get; init; } = true;

    public static DvcOutput From(string path, ContentHash hash, bool isExecutable) =>
        new(path, hash.Md5, hash.Size, hash.IsDirectory ? hash.FileCount : null, isExecutable && !hash.IsDirectory);
}
