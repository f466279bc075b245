namespace Fathom.Data;

/// <summary>
/// A <c>.dvc</c> file as <c>dvc add</c> writes it: its outputs, and <c>wdir</c> when not the file's folder. A file read
/// from disk keeps its <see cref="Layout"/>, so writing it back changes only what changed.
/// </summary>
internal sealed record DvcFile(IReadOnlyList<DvcOutput> Outs, string? WorkingDirectory = null, DvcFileLayout? Layout = null);
