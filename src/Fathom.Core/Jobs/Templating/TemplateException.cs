namespace Fathom.Jobs;

/// <summary>
/// A template that cannot be parsed or rendered: an undefined variable (named, with the nearest defined name), a
/// syntax error (with the column in the template), a filter given the wrong value. A <see cref="FormatException"/>,
/// so the CLI reports it in one line with exit code 2; the caller adds the file, line and field.
/// </summary>
internal sealed class TemplateException : FormatException
{
    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException()
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
