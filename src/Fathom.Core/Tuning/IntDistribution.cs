namespace Fathom.Tuning;

/// <summary>
/// An integer parameter (Optuna's <c>IntDistribution</c>): <c>low + k·step</c> up to <c>high</c> inclusive (lowered onto
/// the grid), or a log scale (step 1, low ≥ 1). Internally the integer as a double.
/// </summary>
internal sealed record IntDistribution : ParamDistribution
{
    public IntDistribution(long low, long high, long step = 1, bool log = false)
    {
        if (step <= 0)
        {
            throw new ArgumentException($"int distribution: 'step' must be a positive integer, not {step}.");
        }
        if (log && step != 1)
        {
            throw new ArgumentException($"int distribution: a log scale needs step 1, not {step}.");
        }
        if (low > high)
        {
            throw new ArgumentException($"int distribution: low ({low}) must be less than or equal to high ({high}).");
        }
        if (log && low < 1)
        {
            throw new ArgumentException($"int distribution: a log scale needs low >= 1, not {low}.");
        }
        Low = low;
        High = low + (high - low) / step * step;
        Step = step;
        Log = log;
    }

    public long Low { get; }
    public long High { get; }
    public long Step { get; }
    public bool Log { get; }

    public override bool IsSingle => Low == High;

    public override double ToInternal(object? external) => external switch
    {
        long l when Contains(l) => l,
        int i when Contains(i) => i,
        double d when Contains(d) => d,
        _ => throw new ArgumentException($"{FloatDistribution.Show(external)} is not in the int distribution {this}."),
    };

    public override object? ToExternal(double internalValue) => (long)Math.Round(internalValue);

    public override bool Contains(double internalValue) =>
        double.IsFinite(internalValue) && internalValue == Math.Round(internalValue)
        && internalValue >= Low && internalValue <= High && ((long)internalValue - Low) % Step == 0;

    public override string ToString() => $"int[{Low}, {High}" + (Step != 1 ? $", step {Step}" : "") + (Log ? ", log" : "") + "]";
}
