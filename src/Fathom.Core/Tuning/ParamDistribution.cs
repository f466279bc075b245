using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// A parameter's search space, as Optuna's distributions: a value has an external representation (what the
/// objective sees: a double, a long or a categorical choice) and an internal one (a double the samplers work on:
/// the value itself, the integer, or the index of the choice).
/// </summary>
internal abstract record ParamDistribution
{
    /// <summary>The internal (double) representation of an external value; throws when the value is not in the space.</summary>
    public abstract double ToInternal(object? external);

    /// <summary>The external value of an internal one.</summary>
    public abstract object? ToExternal(double internalValue);

    /// <summary>Whether an internal value lies in the space (on the step grid, inside the bounds, a valid index).</summary>
    public abstract bool Contains(double internalValue);

    /// <summary>True when the space holds one value only; samplers leave such parameters out of joint spaces.</summary>
    public abstract bool IsSingle { get; }

    /// <summary>
    /// Optuna's rule for a parameter suggested again in a later trial: the same kind of distribution (float, int,
    /// categorical), and for categoricals the same choices. Bounds may differ.
    /// </summary>
    public static bool AreCompatible(ParamDistribution a, ParamDistribution b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return (a, b) switch
        {
            (CategoricalDistribution ca, CategoricalDistribution cb) => ca.Equals(cb),
            (FloatDistribution, FloatDistribution) or (IntDistribution, IntDistribution) => true,
            _ => false,
        };
    }

    /// <summary>
    /// Lowers <paramref name="high"/> onto the grid <c>low + k·step</c>, in decimal arithmetic over the shortest
    /// round-trip spellings, as Optuna does (so 0.1-steps do not drift); plain doubles when out of decimal's range.
    /// </summary>
    internal static double AdjustHighToStep(double low, double high, double step)
    {
        if (TryDecimal(low, out var dLow) && TryDecimal(high, out var dHigh) && TryDecimal(step, out var dStep))
        {
            var range = dHigh - dLow;
            if (range % dStep == 0)
            {
                return high;
            }
            return (double)(Math.Floor(range / dStep) * dStep + dLow);
        }
        var k = Math.Floor((high - low) / step);
        return low + k * step;
    }

    private static bool TryDecimal(double value, out decimal result)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out result);
    }

    internal static bool OnGrid(double value, double low, double step)
    {
        var k = (value - low) / step;
        return Math.Abs(k - Math.Round(k)) <= 1e-8 * Math.Max(1.0, Math.Abs(k));
    }
}
