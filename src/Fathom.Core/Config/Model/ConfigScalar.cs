using System.Globalization;

namespace Fathom.Config;

/// <summary>
/// A scalar: null, bool, int (64-bit), float (double) or string. A string may hold interpolations (<c>${a.b}</c>) or be
/// <c>???</c>, OmegaConf's mandatory missing value; both are kept as text until resolution.
/// </summary>
internal sealed record ConfigScalar(ScalarKind Kind, object? Value, SourcePosition Source) : ConfigNode(Source)
{
    /// <summary>OmegaConf's marker of a mandatory value not set yet.</summary>
    public const string MissingMarker = "???";

    public static ConfigScalar Null(SourcePosition source) => new(ScalarKind.Null, null, source);

    public static ConfigScalar Of(bool value, SourcePosition source) => new(ScalarKind.Bool, value, source);

    public static ConfigScalar Of(long value, SourcePosition source) => new(ScalarKind.Int, value, source);

    public static ConfigScalar Of(double value, SourcePosition source) => new(ScalarKind.Float, value, source);

    public static ConfigScalar Of(string value, SourcePosition source) => new(ScalarKind.String, value, source);

    public bool IsMissing => Kind == ScalarKind.String && (string)Value! == MissingMarker;

    /// <summary>True when the text holds an unescaped <c>${</c>, so resolution may change it.</summary>
    public bool HasInterpolation => Kind == ScalarKind.String && ConfigInterpolation.ContainsInterpolation((string)Value!);

    public string Text => Kind == ScalarKind.String ? (string)Value! : Describe();

    public double AsDouble => Kind switch
    {
        ScalarKind.Float => (double)Value!,
        ScalarKind.Int => (long)Value!,
        _ => throw new InvalidOperationException($"{Kind} is not a number."),
    };

    /// <summary>A float as Python's <c>repr</c> writes it: <c>0.1</c>, <c>1.0</c>, <c>1e-05</c>, <c>inf</c>, <c>nan</c>.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = text.IndexOf('E', StringComparison.Ordinal);
        if (exponent >= 0)
        {
            // .NET writes 1E-05 and 1E+20; Python writes 1e-05 and 1e+20, with at least two exponent digits.
            var mantissa = text[..exponent];
            var sign = text[exponent + 1] is '-' or '+' ? text[exponent + 1] : '+';
            var digits = text[(exponent + 1)..].TrimStart('-', '+');
            return $"{mantissa}e{sign}{digits.PadLeft(2, '0')}";
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    public override ConfigNode At(SourcePosition source) => this with { Source = source };
}
