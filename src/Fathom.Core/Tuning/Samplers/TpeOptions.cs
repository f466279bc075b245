namespace Fathom.Tuning;

/// <summary>
/// Options of <see cref="TpeSampler"/>, with Optuna 4.9's defaults: 10 random start-up trials, 24 EI candidates,
/// γ(n) = min(⌈0.1n⌉, 25), age weights, a prior kernel of weight 1, the magic clip, no endpoints, univariate.
/// </summary>
internal sealed record TpeOptions(
    long? Seed = null,
    int NStartupTrials = 10,
    int NEiCandidates = 24,
    bool Multivariate = false,
    bool Group = false,
    bool ConstantLiar = false,
    double PriorWeight = 1.0,
    bool ConsiderPrior = true,
    bool ConsiderMagicClip = true,
    bool ConsiderEndpoints = false,
    TpeBandwidth Bandwidth = TpeBandwidth.Optuna) : SamplerOptions
{
    /// <summary>How many of n finished trials form the good density l(x).</summary>
    public Func<int, int> Gamma { get; init; } = TpeMath.DefaultGamma;

    /// <summary>Weights of n observations ordered oldest first.</summary>
    public Func<int, double[]> Weights { get; init; } = TpeMath.DefaultWeights;

    /// <summary>
    /// α of the magic clip's floor on kernel widths, <c>σ_min = range / min(100, (m + 2)^α)</c> for m observations (the
    /// prior kernel counted): 1 is Optuna's. Since the good density holds at most γ's 25 observations, α = 1 never lets
    /// its kernels narrow below range/27, short of the 1% the clip allows; α = 1.5 reaches 1% at about 20 observations.
    /// </summary>
    public double MagicClipExponent { get; init; } = 1.0;

    /// <summary>
    /// Fathom's tuner default: Optuna's TPE made multivariate with grouped joint spaces (the setting Optuna itself
    /// reports as stronger, and makes the default for one objective in 5.0), each joint kernel keeping the univariate
    /// neighbour-gap widths (Optuna's multivariate width, 0.2·m^(−1/(d+4))·range, never narrows with the good trials'
    /// spread and lost to univariate TPE late on every benchmark function), the magic clip's floor falling with α = 1.5
    /// (with α = 1 the floor, not the data, held the good kernels wide: see <see cref="MagicClipExponent"/>), and the
    /// constant liar on, since the tuner runs trials in parallel. Every other number is Optuna's. See bench/README.md
    /// for the comparison.
    /// </summary>
    public static TpeOptions FathomDefaults(long? seed = null) =>
        new(seed, Multivariate: true, Group: true, ConstantLiar: true, Bandwidth: TpeBandwidth.Gaps) { MagicClipExponent = 1.5 };

    internal ParzenOptions Parzen => new(PriorWeight, ConsiderPrior, ConsiderMagicClip, ConsiderEndpoints, Multivariate, Bandwidth)
    {
        Weights = Weights,
        MagicClipExponent = MagicClipExponent,
    };

    internal void Validate()
    {
        if (NStartupTrials < 0)
        {
            throw new ArgumentException($"tpe: n_startup_trials must be 0 or more, not {NStartupTrials}.");
        }
        if (NEiCandidates < 1)
        {
            throw new ArgumentException($"tpe: n_ei_candidates must be at least 1, not {NEiCandidates}.");
        }
        if (PriorWeight < 0 || !double.IsFinite(PriorWeight))
        {
            throw new ArgumentException($"tpe: prior_weight must be a non-negative number, not {PriorWeight}.");
        }
        if (!(MagicClipExponent > 0) || !double.IsFinite(MagicClipExponent))
        {
            throw new ArgumentException($"tpe: the magic clip's exponent must be a positive number, not {MagicClipExponent}.");
        }
        if (Group && !Multivariate)
        {
            throw new ArgumentException("tpe: group needs multivariate (groups are sampled jointly).");
        }
    }
}
