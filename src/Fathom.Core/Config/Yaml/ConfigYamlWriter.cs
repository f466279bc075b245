using System.Globalization;
using System.Text;

namespace Fathom.Config;

/// <summary>
/// Writes a config tree as <c>OmegaConf.to_yaml</c> does (PyYAML, block style, keys in order, lists not indented under
/// their key), so <c>.hydra/config.yaml</c> and <c>fathom config show</c> read like Hydra's. A string that would read
/// back as another type (<c>'10'</c>, <c>'yes'</c>, <c>'null'</c>) is quoted, so the output always parses back to the
/// same tree.
/// </summary>
internal static class ConfigYamlWriter
{
    public static string Write(ConfigNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var text = new StringBuilder();
        switch (node)
        {
            case ConfigMap { Entries.Length: 0 }:
                text.Append("{}\n");
                break;
            case ConfigList { Items.Length: 0 }:
                text.Append("[]\n");
                break;
            case ConfigMap map:
                WriteMap(text, map, 0);
                break;
            case ConfigList list:
                WriteList(text, list, 0);
                break;
            default:
                text.Append(Scalar((ConfigScalar)node)).Append('\n');
                break;
        }

        return text.ToString();
    }

    /// <summary>A scalar as PyYAML writes it in block context.</summary>
    public static string Scalar(ConfigScalar scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        return scalar.Kind switch
        {
            ScalarKind.Null => "null",
            ScalarKind.Bool => (bool)scalar.Value! ? "true" : "false",
            ScalarKind.Int => ((long)scalar.Value!).ToString(CultureInfo.InvariantCulture),
            ScalarKind.Float => Float((double)scalar.Value!),
            _ => String((string)scalar.Value!),
        };
    }

    private static void WriteMap(StringBuilder text, ConfigMap map, int indent)
    {
        foreach (var entry in map.Entries)
        {
            text.Append(' ', indent).Append(Key(entry.Key)).Append(':');
            WriteValue(text, entry.Value, indent, inMap: true);
        }
    }

    private static void WriteList(StringBuilder text, ConfigList list, int indent)
    {
        foreach (var item in list.Items)
        {
            text.Append(' ', indent).Append('-');
            switch (item)
            {
                case ConfigMap { Entries.Length: > 0 } map:
                    // "- key: value" with the rest of the map aligned under the first key.
                    text.Append(' ');
                    var first = true;
                    foreach (var entry in map.Entries)
                    {
                        if (!first)
                        {
                            text.Append(' ', indent + 2);
                        }

                        first = false;
                        text.Append(Key(entry.Key)).Append(':');
                        WriteValue(text, entry.Value, indent + 2, inMap: true);
                    }

                    break;
                case ConfigList { Items.Length: > 0 } inner:
                    text.Append('\n');
                    WriteList(text, inner, indent + 2);
                    break;
                default:
                    WriteValue(text, item, indent, inMap: false);
                    break;
            }
        }
    }

    private static void WriteValue(StringBuilder text, ConfigNode value, int indent, bool inMap)
    {
        switch (value)
        {
            case ConfigMap { Entries.Length: 0 }:
                text.Append(" {}\n");
                break;
            case ConfigList { Items.Length: 0 }:
                text.Append(" []\n");
                break;
            case ConfigMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case ConfigList list:
                text.Append('\n');
                // PyYAML's default: a list under a key is not indented; a list in a list is.
                WriteList(text, list, inMap ? indent : indent + 2);
                break;
            default:
                text.Append(' ').Append(Scalar((ConfigScalar)value)).Append('\n');
                break;
        }
    }

    private static string Key(string key) => String(key);

    // PyYAML's repr of a float: lower-case, a '.0' before a bare exponent, .inf and .nan.
    private static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return ".nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? ".inf" : "-.inf";
        }

        var text = ConfigScalar.FormatFloat(value);
        var exponent = text.IndexOf('e', StringComparison.Ordinal);
        return exponent >= 0 && !text[..exponent].Contains('.', StringComparison.Ordinal) ? text[..exponent] + ".0" + text[exponent..] : text;
    }

    private static string String(string value)
    {
        if (NeedsDoubleQuotes(value))
        {
            return DoubleQuoted(value);
        }

        return PlainAllowed(value) && ConfigYaml.TypePlain(value, SourcePosition.Generated).Kind == ScalarKind.String
            ? value
            : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static bool NeedsDoubleQuotes(string value) => value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF');

    // The block-plain rules of PyYAML's analyze_scalar, simplified: no leading indicator, no ": " or " #", no outer
    // spaces. Flow indicators ({}[],) are fine in block context, so ${a.b} stays plain as Hydra writes it.
    private static bool PlainAllowed(string value)
    {
        if (value.Length == 0 || value[0] is ' ' || value[^1] is ' ' or ':' || value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal))
        {
            return false;
        }

        if (value[0] is '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`')
        {
            return false;
        }

        if (value[0] is '-' or '?' or ':' && (value.Length == 1 || value[1] == ' '))
        {
            return false;
        }

        return !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal) && !value.Contains('\t', StringComparison.Ordinal);
    }

    private static string DoubleQuoted(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '\0' => "\\0",
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }
}
