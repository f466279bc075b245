namespace Fathom.Jobs;

/// <summary>A value that does not fit its IO's type or validation, worded as Polyaxon words it ("Could not parse value…").</summary>
internal sealed class IoValueException : FormatException
{
    public IoValueException(string message)
        : base(message)
    {
    }

    public IoValueException()
    {
    }

    public IoValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
