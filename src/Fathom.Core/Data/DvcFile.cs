namespace Fathom.Data;

/// <summary>A <c>.dvc</c> file as <c>dvc add</c> writes it: its outputs, and <c>wdir</c> when not the file's folder.</summary>
internal sealed record DvcFile(IReadOnlyList<DvcOutput> Outs, string? WorkingDirectory = null);
