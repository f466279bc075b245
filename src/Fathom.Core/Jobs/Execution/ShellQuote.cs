using System.Text;

namespace Fathom.Jobs;

/// <summary>Quotes arguments for a POSIX shell, so a printed command line can be pasted and runs the same argv.</summary>
internal static class ShellQuote
{
    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    public static string Quote(string arg)
    {
        ArgumentNullException.ThrowIfNull(arg);
        if (arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c, StringComparison.Ordinal)))
        {
            return arg;
        }

        var quoted = new StringBuilder("'");
        quoted.Append(arg.Replace("'", "'\\''", StringComparison.Ordinal));
        return quoted.Append('\'').ToString();
    }
}
