using System.Globalization;
using System.Text.RegularExpressions;
using Fathom.Data;
using Tomlyn;
using Tomlyn.Model;

namespace Fathom.Pipelines;

internal static partial class ParamsFiles
{
    // A module-level (or, indented, class-level) assignment: NAME = value, NAME: type = value.
    [GeneratedRegex(@"^(?<indent>[ \t]*)(?<name>[A-Za-z_]\w*)\s*(?::[^=]+)?=\s*(?<value>.+?)\s*(?:#.*)?$")]
    private static partial Regex PythonAssignment();

    [GeneratedRegex(@"^class\s+(?<name>[A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:\s*$")]
    private static partial Regex PythonClass();

    /// <summary>A TOML document as loaded values: tables become mappings, arrays lists, dates their TOML text.</summary>
    public static Dictionary<string, object?> FromToml(string text, string displayName)
    {
        try
        {
            return (Dictionary<string, object?>)FromTomlValue(TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable())!;
        }
        catch (TomlException e)
        {
            throw new DvcFormatException(displayName, Math.Max(1, e.Line ?? 1), "", $"invalid TOML: {FirstLine(e.Message)}");
        }
    }

    private static object? FromTomlValue(object? value) => value switch
    {
        TomlTable table => table.ToDictionary(p => p.Key, p => FromTomlValue(p.Value), StringComparer.Ordinal),
        TomlTableArray tables => tables.Select(t => FromTomlValue(t)).ToList(),
        TomlArray array => array.Select(FromTomlValue).ToList(),
        string or long or double or bool or null => value,
        int i => (long)i,
        float f => (double)f,
        IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>
    /// DVC's <c>.py</c> params: module-level constants, and class attributes as <c>Class.attr</c>. Only literal values
    /// (numbers, strings, True/False/None and flat lists of those) are read; other assignments are skipped, as DVC
    /// reads only what <c>ast.literal_eval</c> accepts.
    /// </summary>
    public static Dictionary<string, object?> FromPython(string text, string displayName)
    {
        _ = displayName;
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        Dictionary<string, object?>? currentClass = null;
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (PythonClass().Match(line) is { Success: true } cls)
            {
                result[cls.Groups["name"].Value] = currentClass = new Dictionary<string, object?>(StringComparer.Ordinal);
                continue;
            }

            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && !line.StartsWith('#'))
            {
                currentClass = null;
            }

            if (PythonAssignment().Match(line) is not { Success: true } assignment || !TryPythonLiteral(assignment.Groups["value"].Value, out var value))
            {
                continue;
            }

            var indented = assignment.Groups["indent"].Length > 0;
            if (!indented)
            {
                result[assignment.Groups["name"].Value] = value;
            }
            else if (currentClass is not null)
            {
                currentClass[assignment.Groups["name"].Value] = value;
            }
        }

        return result;
    }

    private static bool TryPythonLiteral(string text, out object? value)
    {
        value = null;
        text = text.Trim();
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            var items = new List<object?>();
            foreach (var part in text[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TryPythonLiteral(part, out var item) || item is List<object?>)
                {
                    return false;
                }

                items.Add(item);
            }

            value = items;
            return true;
        }

        if (text.Length >= 2 && (text[0] is '"' or '\'') && text[^1] == text[0] && text.IndexOf(text[0], 1) == text.Length - 1)
        {
            value = text[1..^1];
            return true;
        }

        switch (text)
        {
            case "True":
                value = true;
                return true;
            case "False":
                value = false;
                return true;
            case "None":
                return true;
        }

        if (long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            value = l;
            return true;
        }

        if (double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            value = d;
            return true;
        }

        return false;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
