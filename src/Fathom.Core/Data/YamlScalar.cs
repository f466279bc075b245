using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fathom.Data;

/// <summary>
/// Writes a string as a YAML 1.2 scalar the way ruamel.yaml (DVC's writer) does: plain when its emitter allows it and
/// the text would read back as a string; otherwise double-quoted when it holds a quote, a line break or a character
/// that needs an escape, else single-quoted (ruamel's <c>choose_scalar_style</c>).
/// </summary>
internal static partial class YamlScalar
{
    // ruamel's YAML 1.2 implicit resolvers: a plain scalar matching one of these would not read back as a string.
    // (1.2 has no yes/no/on/off booleans, so DVC writes those plain.)
    [GeneratedRegex("""
        ^(?:true|True|TRUE|false|False|FALSE
        |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
        |[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+
        |~|null|Null|NULL
        |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
        |<<|=)$
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex NotAString();

    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Style(value) switch
        {
            '\'' => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'",
            '"' => DoubleQuoted(value),
            _ => value,
        };
    }

    /// <summary>ruamel's choice for a block-context scalar: <c>'\0'</c> plain, <c>'\''</c> or <c>'"'</c>.</summary>
    private static char Style(string value)
    {
        var special = false;
        var lineBreak = false;
        foreach (var ch in value)
        {
            if (ch is '\n' or '\x85' or '\u2028' or '\u2029')
            {
                lineBreak = true;
            }
            else if (!Printable(ch))
            {
                special = true;
            }
        }

        if (special)
        {
            return '"';
        }

        if (!lineBreak && PlainAllowed(value) && !NotAString().IsMatch(value))
        {
            return '\0';
        }

        return value.Contains('\'', StringComparison.Ordinal) || lineBreak ? '"' : '\'';
    }

    // The block-plain part of ruamel's analyze_scalar: indicators at the start, ": " and " #" inside, outer spaces.
    private static bool PlainAllowed(string value)
    {
        if (value.Length == 0 || value[0] == ' ' || value[^1] == ' ' || value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            var followedBySpace = i + 1 >= value.Length || value[i + 1] is ' ' or '\t' or '\r' or '\n' or '\x85' or '\u2028' or '\u2029';
            if (i == 0)
            {
                if ("#,[]{}&*!|>'\"%@`".Contains(ch, StringComparison.Ordinal) || (ch is '?' or ':' or '-' && followedBySpace))
                {
                    return false;
                }
            }
            else if ((ch == ':' && followedBySpace) || (ch == '#' && value[i - 1] is ' ' or '\t'))
            {
                return false;
            }
        }

        return true;
    }

    // ruamel writes with allow_unicode: printable is tab-free ASCII, NEL, and the printable BMP ranges.
    private static bool Printable(char ch) =>
        ch is '\n' or (>= '\x20' and <= '\x7E') or '\x85' or (>= '\xA0' and <= '\uD7FF') or (>= '\uE000' and <= '\uFFFD' and not '\uFEFF')
        || char.IsSurrogate(ch);

    private static string DoubleQuoted(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in value)
        {
            sb.Append(ch switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\0' => "\\0",
                '\a' => "\\a",
                '\b' => "\\b",
                '\t' => "\\t",
                '\n' => "\\n",
                '\v' => "\\v",
                '\f' => "\\f",
                '\r' => "\\r",
                '\x1B' => "\\e",
                '\x85' => "\\N",
                '\xA0' => "\\_",
                '\u2028' => "\\L",
                '\u2029' => "\\P",
                _ when ch is (>= '\x20' and <= '\x7E') || (Printable(ch) && ch != '\uFEFF') => ch.ToString(),
                _ when ch <= '\xFF' => "\\x" + ((int)ch).ToString("X2", CultureInfo.InvariantCulture),
                _ => "\\u" + ((int)ch).ToString("X4", CultureInfo.InvariantCulture),
            });
        }

        return sb.Append('"').ToString();
    }
}
