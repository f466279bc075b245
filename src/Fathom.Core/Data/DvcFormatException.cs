namespace Fathom.Data;

/// <summary>A malformed DVC metafile, located by file, line and field (e.g. <c>data.dvc:3: outs[0].size: …</c>).</summary>
internal sealed class DvcFormatException : FormatException
{
    public DvcFormatException(string file, int line, string field, string problem)
        : base($"{file}:{line}: {(field.Length == 0 ? "" : field + ": ")}{problem}")
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    public DvcFormatException()
    {
    }

    public DvcFormatException(string message)
        : base(message)
    {
    }

    public DvcFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string File { get; } = "";

    public int Line { get; }

    public string Field { get; } = "";

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; } = "";
}
