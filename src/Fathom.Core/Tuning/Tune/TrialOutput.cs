using System.Globalization;
using System.Text.RegularExpressions;

namespace Fathom.Tuning;

/// <summary>
/// What a trial prints on stdout, read line by line as Katib's stdout metrics collector reads it: every
/// <c>name=value</c> pair is a metric (the last value printed wins, Katib's <c>latest</c> strategy). A <c>step=N</c> pair
/// sets the step of that line and the lines after it; the first objective printed at a step is an intermediate value,
/// which the pruner judges while the trial runs (<c>step=3 val_loss=0.41</c>, or <c>step=3</c> then <c>val_loss=0.41</c>).
/// The last non-empty line is kept too: without objective names, it is the trial's return value.
/// </summary>
internal sealed partial class TrialOutput(string? stepObjective)
{
    /// <summary>The key whose value sets the current step.</summary>
    public const string StepKey = "step";

    private readonly Dictionary<string, double> _latest = new(StringComparer.Ordinal);
    private int? _step;

    /// <summary>The last value printed of each metric.</summary>
    public IReadOnlyDictionary<string, double> Latest => _latest;

    /// <summary>The last non-empty line, trimmed.</summary>
    public string? LastLine { get; private set; }

    /// <summary>Reads one line; returns the intermediate value it reports, if any.</summary>
    public (int Step, double Value)? Read(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        LastLine = trimmed;
        var pairs = Pair().Matches(trimmed);
        foreach (Match pair in pairs)
        {
            if (pair.Groups[1].Value == StepKey && long.TryParse(pair.Groups[2].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var step) && step is >= 0 and <= int.MaxValue)
            {
                _step = (int)step;
            }
        }

        (int, double)? reported = null;
        foreach (Match pair in pairs)
        {
            var name = pair.Groups[1].Value;
            if (name == StepKey || !TryNumber(pair.Groups[2].Value, out var value))
            {
                continue;
            }

            _latest[name] = value;
            if (name == stepObjective && _step is { } at)
            {
                reported = (at, value);
            }
        }

        return reported;
    }

    /// <summary>A number as trials print them: invariant digits, exponents, and Python's nan/inf spellings.</summary>
    public static bool TryNumber(string text, out double value)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.Trim().ToLowerInvariant())
        {
            case "nan" or "+nan" or "-nan":
                value = double.NaN;
                return true;
            case "inf" or "+inf" or "infinity" or "+infinity":
                value = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity":
                value = double.NegativeInfinity;
                return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// A return value as a line: one number, or one per objective (<c>0.3, 0.8</c>, <c>[0.3, 0.8]</c>, <c>0.3 0.8</c>),
    /// what a Hydra task function returns to the Optuna sweeper. Null when the line is not that.
    /// </summary>
    public static IReadOnlyList<double>? ReturnValue(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        var body = line.Trim().Trim('[', ']', '(', ')');
        var parts = body.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var values = new List<double>(parts.Length);
        foreach (var part in parts)
        {
            if (!TryNumber(part, out var value))
            {
                return null;
            }

            values.Add(value);
        }

        return values.Count > 0 ? values : null;
    }

    // name=value: a name as metric keys are written (letters, digits, _ - . /), a number or nan/inf; Katib's default
    // filter is ([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?).
    [GeneratedRegex(@"(?<![\w.\-/])([A-Za-z_][\w.\-/]*)\s*=\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf(?:inity)?))(?![\w.])",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Pair();
}
