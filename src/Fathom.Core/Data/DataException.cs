namespace Fathom.Data;

/// <summary>An expected failure of a data command: one line saying what failed and what to do.</summary>
internal sealed class DataException : Exception
{
    public DataException(DataErrorKind kind, string message)
        : base(message) => Kind = kind;

    public DataException()
    {
    }

    public DataException(string message)
        : base(message)
    {
    }

    public DataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DataErrorKind Kind { get; }
}
