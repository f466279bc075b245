using System.Globalization;
using System.Text;

namespace Fathom.Pipelines;

/// <summary>
/// Values as DVC's tables print them: Python's <c>str()</c> of the loaded value (<c>True</c>, <c>1</c> for an int and
/// <c>1.0</c> for a float, lists and dicts as Python literals), after <c>round(value, digits)</c> on floats when the
/// command rounds (DVC's <c>_format_field</c> with <c>round_digits=True</c>).
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str(value)</c>, floats (also inside lists and dicts) rounded to <paramref name="digits"/> when given.</summary>
    public static string Str(object? value, int? digits = null) => value is string s ? s : Repr(value, digits);

    /// <summary>Python's <c>repr(value)</c> (strings quoted), floats rounded to <paramref name="digits"/> when given.</summary>
    public static string Repr(object? value, int? digits = null) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => PipelineValues.PythonFloat(digits is { } n ? Round(d, n) : d),
        string s => QuoteString(s),
        List<object?> list => "[" + string.Join(", ", list.Select(x => Repr(x, digits))) + "]",
        Dictionary<string, object?> map => "{" + string.Join(", ", map.Select(p => QuoteString(p.Key) + ": " + Repr(p.Value, digits))) + "}",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>
    /// Python's <c>round(value, digits)</c>: half to even on the double's exact value. Seventeen significant digits tell
    /// which side of a tie the double lies (2.675 is 2.67499…, so it rounds down as in Python).
    /// </summary>
    public static double Round(double value, int digits)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || Math.Abs(value) >= 1e15)
        {
            return value;
        }

        var exact = decimal.Parse(value.ToString("E16", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        var rounded = (double)Math.Round(exact, Math.Min(digits, 28), MidpointRounding.ToEven);
        // Python keeps the sign of a negative number rounded to zero: round(-1e-07, 5) is -0.0.
        return rounded == 0 && double.IsNegative(value) ? -0.0 : rounded;
    }

    // repr(str): single quotes unless the text has a single quote and no double quote; backslash escapes.
    private static string QuoteString(string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var ch in s)
        {
            sb.Append(ch switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when ch == quote => "\\" + ch,
                _ when ch < ' ' || ch == '\x7F' => "\\x" + ((int)ch).ToString("x2", CultureInfo.InvariantCulture),
                _ => ch.ToString(),
            });
        }

        return sb.Append(quote).ToString();
    }
}
