using System.Globalization;

namespace Fathom.Data;

/// <summary>Writes a string as a YAML 1.2 scalar the way ruamel.yaml (DVC's writer) does: plain when safe, else single-quoted.</summary>
internal static class YamlScalar
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n" };

    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return NeedsQuotes(value) ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'" : value;
    }

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0 || Reserved.Contains(value) || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return true;
        }

        if ("-?:,[]{}#&*!|>'\"%@`".Contains(value[0], StringComparison.Ordinal) && !(value[0] == '-' && value.Length > 1 && value[1] != ' '))
        {
            return true;
        }

        if (value.Contains(": ", StringComparison.Ordinal) || value.Contains(" #", StringComparison.Ordinal) || value.EndsWith(':') || value.Any(char.IsControl))
        {
            return true;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }
}
