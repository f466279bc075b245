namespace Fathom.Monitoring;

/// <summary>
/// When a feature counts as drifted. The PSI bands are the industry's usual ones (below 0.1 stable, 0.1–0.25 a
/// shift worth watching, above 0.25 a shift); a KS test alone would flag any tiny shift once traffic is large, so it
/// counts only with a gap of at least <see cref="KsStatistic"/> as well.
/// </summary>
internal sealed record DriftThresholds
{
    public double PsiWarn { get; init; } = 0.1;

    public double PsiDrift { get; init; } = 0.25;

    public double KsPValue { get; init; } = 0.01;

    public double KsStatistic { get; init; } = 0.1;

    /// <summary>Fewer recent predictions than this give no verdict: the measures would be noise.</summary>
    public int MinSamples { get; init; } = 100;
}
