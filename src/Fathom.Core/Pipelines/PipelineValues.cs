using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

/// <summary>
/// Parameter and template values as DVC sees them after loading YAML 1.2 or JSON: null, bool, long, double, string,
/// <see cref="List{T}"/> of values, or a <see cref="Dictionary{TKey,TValue}"/> (insertion-ordered) of values.
/// </summary>
internal static partial class PipelineValues
{
    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    /// <summary>Converts a YAML node with the YAML 1.2 core schema (ruamel.yaml's, DVC's loader): quoted scalars stay strings.</summary>
    public static object? FromYaml(YamlNode node) => node switch
    {
        YamlScalarNode scalar => FromScalar(scalar),
        YamlSequenceNode sequence => sequence.Children.Select(FromYaml).ToList(),
        YamlMappingNode mapping => mapping.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? "", c => FromYaml(c.Value), StringComparer.Ordinal),
        _ => null,
    };

    public static object? FromScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return text;
        }

        return Resolve(text);
    }

    /// <summary>The type a plain scalar resolves to under the YAML 1.2 core schema.</summary>
    public static object? Resolve(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF":
                return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN":
                return double.NaN;
        }

        if (IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return hex;
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return real;
        }

        return text;
    }

    /// <summary>Python's <c>==</c> on loaded values: <c>1 == 1.0</c>, <c>1 != "1"</c>, lists and dicts element-wise.</summary>
    public static bool PythonEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (bool x, bool y) => x == y,
        (bool, _) or (_, bool) => false,
        (long x, long y) => x == y,
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (double x, double y) => x.Equals(y) && !double.IsNaN(x),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => PythonEquals(p.First, p.Second)),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) =>
            x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && PythonEquals(p.Value, v)),
        _ => false,
    };

    /// <summary>A value as Python's <c>str()</c> shows it inside an interpolated string (booleans lower-cased, as DVC does).</summary>
    public static string ToText(object? value) => value switch
    {
        null => "None",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PythonFloat(d),
        string s => s,
        _ => throw new InvalidOperationException("lists and dicts are not interpolated as text"),
    };

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, exponent form below 1e-4 or from 1e16.</summary>
    public static string PythonFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var mantissa = r;
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = r[..e];
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        var negative = mantissa.StartsWith('-');
        mantissa = mantissa.TrimStart('-');
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = (point < 0 ? mantissa : mantissa.Remove(point, 1)).TrimStart('0');
        var leadingZeros = (point < 0 ? mantissa : mantissa.Remove(point, 1)).Length - digits.Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // Decimal exponent of the first significant digit.
        var decimalExponent = (point < 0 ? mantissa.Length : point) - 1 - leadingZeros + exponent;
        string text;
        if (decimalExponent < -4 || decimalExponent >= 16)
        {
            text = digits[..1] + (digits.Length > 1 ? "." + digits[1..] : "") + "e" + (decimalExponent < 0 ? "-" : "+") + Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (decimalExponent < 0)
        {
            text = "0." + new string('0', -decimalExponent - 1) + digits;
        }
        else if (digits.Length <= decimalExponent + 1)
        {
            text = digits + new string('0', decimalExponent + 1 - digits.Length) + ".0";
        }
        else
        {
            text = digits[..(decimalExponent + 1)] + "." + digits[(decimalExponent + 1)..];
        }

        return negative ? "-" + text : text;
    }

    /// <summary>The value at a dot path (<c>train.lr</c>) of a loaded file, or false when a part is missing.</summary>
    public static bool TryGetPath(object? root, string path, out object? value)
    {
        value = root;
        foreach (var part in path.Split('.'))
        {
            if (value is Dictionary<string, object?> map && map.TryGetValue(part, out var next))
            {
                value = next;
            }
            else if (value is List<object?> list && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count)
            {
                value = list[index];
            }
            else
            {
                value = null;
                return false;
            }
        }

        return true;
    }
}
