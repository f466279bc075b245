namespace Fathom.Config;

/// <summary>
/// Where a config value came from: a file (relative to the config dir, as Hydra names configs), or
/// <see cref="CommandLine"/> for an override, with its 1-based line and column (for an override: line 0 and the
/// column in the argument).
/// </summary>
internal sealed record SourcePosition(string File, int Line, int Column)
{
    /// <summary>The pseudo file of command-line overrides.</summary>
    public const string CommandLine = "<command line>";

    /// <summary>A value made by Fathom itself (a resolver's result, a default).</summary>
    public static SourcePosition Generated { get; } = new("<generated>", 0, 0);

    public static SourcePosition Override(int argument, int column) => new(CommandLine, argument, column);

    /// <summary><c>file:line</c>, or for an override <c>override #n, column c</c>.</summary>
    public override string ToString() => File switch
    {
        CommandLine => $"override #{Line + 1}, column {Column}",
        _ when Line == 0 => File,
        _ => $"{File}:{Line}",
    };
}
