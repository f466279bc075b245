namespace Fathom.Data;

/// <summary>
/// A <c>.dvc</c> file as <c>dvc add</c> writes it: its outputs, and <c>wdir</c> when not the file's folder. A file read
/// from disk keeps its <see cref="Layout"/>, so writing it back changes only what changed.
/// </summary>
internal sealed record DvcFile(IReadOnlyList<DvcOutput> Outs, string? WorkingDirectory = null, DvcFileLayout? Layout = null)
{
    /// <summary>The line of each output's <c>path</c> in the file read (empty for a file made in memory), for messages.</summary>
    public IReadOnlyList<int> PathLines { get; init; } = [];

    /// <summary>The line of output <paramref name="index"/>'s path, or 1 when not known.</summary>
    public int PathLine(int index) => index < PathLines.Count ? PathLines[index] : 1;
}
