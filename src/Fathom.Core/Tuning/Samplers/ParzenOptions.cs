namespace Fathom.Tuning;

/// <summary>How the Parzen estimators of TPE are built (Optuna's <c>_ParzenEstimatorParameters</c>).</summary>
internal sealed record ParzenOptions(
    double PriorWeight = 1.0,
    bool ConsiderPrior = true,
    bool ConsiderMagicClip = true,
    bool ConsiderEndpoints = false,
    bool Multivariate = false)
{
    public Func<int, double[]> Weights { get; init; } = TpeMath.DefaultWeights;
}
