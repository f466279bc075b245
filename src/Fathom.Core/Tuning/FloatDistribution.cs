using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// A float parameter (Optuna's <c>FloatDistribution</c>): continuous in <c>[low, high]</c>, on a log scale, or on the
/// grid <c>low + k·step</c> with <c>high</c> lowered onto the grid. Log and step exclude each other; log needs low &gt; 0.
/// </summary>
internal sealed record FloatDistribution : ParamDistribution
{
    public FloatDistribution(double low, double high, double? step = null, bool log = false)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high))
        {
            throw new ArgumentException($"float distribution: low ({Show(low)}) and high ({Show(high)}) must be finite numbers.");
        }
        if (log && step is not null)
        {
            throw new ArgumentException("float distribution: 'step' and 'log' cannot be used together (a log scale has no even grid).");
        }
        if (step is { } s && (!double.IsFinite(s) || s <= 0))
        {
            throw new ArgumentException($"float distribution: 'step' must be a positive number, not {Show(s)}.");
        }
        if (low > high)
        {
            throw new ArgumentException($"float distribution: low ({Show(low)}) must be less than or equal to high ({Show(high)}).");
        }
        if (log && low <= 0)
        {
            throw new ArgumentException($"float distribution: a log scale needs low > 0, not {Show(low)}.");
        }
        Low = low;
        High = step is { } st ? AdjustHighToStep(low, high, st) : high;
        Step = step;
        Log = log;
    }

    public double Low { get; }
    public double High { get; }
    public double? Step { get; }
    public bool Log { get; }

    public override bool IsSingle => Low == High || (Step is { } s && Low + s > High);

    public override double ToInternal(object? external) => external switch
    {
        double d when Contains(d) => d,
        float f when Contains(f) => f,
        long l when Contains(l) => l,
        int i when Contains(i) => i,
        _ => throw new ArgumentException($"{Show(external)} is not in the float distribution {this}."),
    };

    public override object? ToExternal(double internalValue) => internalValue;

    public override bool Contains(double internalValue) =>
        double.IsFinite(internalValue) && internalValue >= Low && internalValue <= High
        && (Step is not { } s || OnGrid(internalValue, Low, s));

    public override string ToString() =>
        $"float[{Show(Low)}, {Show(High)}" + (Step is { } s ? $", step {Show(s)}" : "") + (Log ? ", log" : "") + "]";

    internal static string Show(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
