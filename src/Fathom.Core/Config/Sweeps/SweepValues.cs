using System.Globalization;
using System.Text;

namespace Fathom.Config;

/// <summary>
/// The values a sweep stands for, and values written back as override text (Hydra's
/// <c>Override._get_value_element_as_str</c>), which is what each job of a multirun records in its <c>overrides.yaml</c>.
/// </summary>
internal static class SweepValues
{
    private const string Special = "\\()[]{}:=, \t";

    /// <summary>
    /// The values of a range, stop exclusive, as the basic sweeper enumerates them: Python's <c>range</c> for integers,
    /// and for floats <c>start + i·step</c> computed in decimal (as Hydra's <c>FloatRange</c>), so 0.1 steps do not drift.
    /// </summary>
    public static IReadOnlyList<ConfigScalar> RangeValues(RangeSweep range, SourcePosition? source = null)
    {
        ArgumentNullException.ThrowIfNull(range);
        source ??= SourcePosition.Generated;
        if (range.Step == 0)
        {
            throw new ConfigException(source, "", "range() arg 3 must not be zero");
        }

        var values = new List<ConfigScalar>();
        if (!range.IsFloat)
        {
            var (start, stop, step) = ((long)range.Start, (long)range.Stop, (long)range.Step);
            for (var v = start; step > 0 ? v < stop : v > stop; v += step)
            {
                values.Add(ConfigScalar.Of(v, source));
                if (values.Count > 1_000_000)
                {
                    throw new ConfigException(source, "", "a range of more than 1,000,000 values.");
                }
            }

            return values;
        }

        var dStart = Decimal(range.Start);
        var dStop = Decimal(range.Stop);
        var dStep = Decimal(range.Step);
        for (var i = 0; ; i++)
        {
            var v = dStart + (i * dStep);
            if (dStep > 0 ? v >= dStop : v <= dStop)
            {
                return values;
            }

            values.Add(ConfigScalar.Of((double)v, source));
            if (values.Count > 1_000_000)
            {
                throw new ConfigException(source, "", "a range of more than 1,000,000 values.");
            }
        }
    }

    private static decimal Decimal(double value) =>
        decimal.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>An element as override text: <c>null</c>, <c>True</c>, <c>0.1</c>, <c>[a,b]</c>, <c>{a:1}</c>, strings with special characters escaped.</summary>
    public static string ToOverrideText(ConfigNode node) => node switch
    {
        ConfigScalar { Kind: ScalarKind.Null } => "null",
        ConfigScalar { Kind: ScalarKind.Bool } b => (bool)b.Value! ? "True" : "False",
        ConfigScalar { Kind: ScalarKind.Int } i => ((long)i.Value!).ToString(CultureInfo.InvariantCulture),
        ConfigScalar { Kind: ScalarKind.Float } f => ConfigScalar.FormatFloat(f.AsDouble),
        ConfigScalar s => Escape((string)s.Value!),
        ConfigList l => "[" + string.Join(",", l.Items.Select(ToOverrideText)) + "]",
        ConfigMap m => "{" + string.Join(",", m.Entries.Select(e => Escape(e.Key) + ":" + ToOverrideText(e.Value))) + "}",
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    /// <summary>
    /// A string as override text. Hydra escapes the special characters with a backslash; a string that would then read
    /// back as another type (<c>10</c>, <c>true</c>, <c>null</c>, empty) is single-quoted instead, so the text always
    /// parses back to the same string.
    /// </summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (Special.Contains(c, StringComparison.Ordinal))
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        var escaped = text.ToString();
        return ReadsBackAs(escaped, value)
            ? escaped
            : Quote(value);
    }

    // A single-quoted override string reading back as value: only backslashes before a quote (or the closing quote)
    // are escapes in Hydra's quoted values, so those runs are doubled and each quote escaped.
    private static string Quote(string value)
    {
        var text = new StringBuilder("'");
        var run = 0;
        foreach (var c in value)
        {
            if (c == '\\')
            {
                run++;
                continue;
            }

            text.Append('\\', c == '\'' ? (2 * run) + 1 : run);
            run = 0;
            text.Append(c);
        }

        return text.Append('\\', 2 * run).Append('\'').ToString();
    }

    private static bool ReadsBackAs(string text, string value)
    {
        try
        {
            return text.Length > 0 && OverrideParser.Parse("k=" + text).Value is ElementValue { Node: ConfigScalar { Kind: ScalarKind.String } s } && (string)s.Value! == value;
        }
        catch (ConfigException)
        {
            return false;
        }
    }
}
