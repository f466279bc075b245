namespace Fathom.Tuning;

/// <summary>How the Parzen estimators of TPE are built (Optuna's <c>_ParzenEstimatorParameters</c>).</summary>
internal sealed record ParzenOptions(
    double PriorWeight = 1.0,
    bool ConsiderPrior = true,
    bool ConsiderMagicClip = true,
    bool ConsiderEndpoints = false,
    bool Multivariate = false,
    TpeBandwidth Bandwidth = TpeBandwidth.Optuna)
{
    public Func<int, double[]> Weights { get; init; } = TpeMath.DefaultWeights;

    /// <summary>α of the magic clip's floor, <c>range / min(100, (1 + kernels)^α)</c>; Optuna's is 1.</summary>
    public double MagicClipExponent { get; init; } = 1.0;
}

/// <summary>How multivariate TPE sizes its kernels (univariate TPE always uses the neighbour gaps).</summary>
internal enum TpeBandwidth
{
    /// <summary>Optuna's: <c>0.2 · m^(−1/(d+4)) · range</c>, the same whatever the observations' spread.</summary>
    Optuna,

    /// <summary>
    /// Scott's rule per param: <c>1.059 · min(sd, IQR/1.34) · m^(−1/(d+4))</c> of the observations, so the good density
    /// narrows as the good trials concentrate (Scott 1992; BOHB's KDE). Optuna's width when there is one observation.
    /// </summary>
    Scott,

    /// <summary>Each kernel's own neighbour gaps per param, as univariate TPE, inside the joint product kernels.</summary>
    Gaps,
}
