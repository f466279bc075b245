namespace Fathom.Data;

/// <summary>One path in a diff with its md5 before (<see cref="OldMd5"/>) and after (<see cref="NewMd5"/>).</summary>
internal sealed record DiffEntry(string Path, string? OldMd5, string? NewMd5);
