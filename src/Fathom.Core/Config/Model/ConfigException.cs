namespace Fathom.Config;

/// <summary>
/// A config that cannot be composed, resolved or bound, worded as one line for the CLI: where (file:line), which key,
/// and what is wrong or what to do. A <see cref="FormatException"/>, so every command reports it with exit code 2.
/// </summary>
internal sealed class ConfigException : FormatException
{
    public ConfigException(SourcePosition? where, string key, string problem)
        : base(Format(where, key, problem))
    {
        Where = where;
        Key = key;
        Problem = problem;
    }

    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        Problem = message;
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>The file and line (or override and column) the problem is at, when known.</summary>
    public SourcePosition? Where { get; }

    /// <summary>The dotted key, or empty.</summary>
    public string Key { get; } = "";

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; } = "";

    private static string Format(SourcePosition? where, string key, string problem)
    {
        var prefix = where is null ? "" : where + ": ";
        return key.Length == 0 ? prefix + problem : $"{prefix}{key}: {problem}";
    }
}
