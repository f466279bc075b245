namespace Fathom.Tuning;

/// <summary>
/// The small formulas of Optuna's TPE, as pure functions so they can be checked by hand: the split size γ(n), the
/// age weights of observations, and kernel bandwidths (univariate neighbour gaps, multivariate Scott-like rule, and
/// the "magic clip").
/// </summary>
internal static class TpeMath
{
    /// <summary>Optuna's default γ: <c>min(⌈0.1·n⌉, 25)</c> trials form the "good" density l(x).</summary>
    public static int DefaultGamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>hyperopt's γ (Optuna's hyperopt preset): <c>min(⌈0.25·√n⌉, 25)</c>.</summary>
    public static int HyperoptGamma(int n) => Math.Min((int)Math.Ceiling(0.25 * Math.Sqrt(n)), 25);

    /// <summary>
    /// Optuna's default weights for n observations ordered oldest first: all 1 below 25; else a ramp
    /// <c>linspace(1/n, 1, n−25)</c> for the oldest and 1 for the 25 most recent.
    /// </summary>
    public static double[] DefaultWeights(int n)
    {
        var w = new double[n];
        if (n < 25)
        {
            Array.Fill(w, 1.0);
            return w;
        }
        var ramp = n - 25;
        for (var i = 0; i < ramp; i++)
        {
            // numpy.linspace(1/n, 1, ramp): both ends included; a single point is the start.
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        }
        for (var i = ramp; i < n; i++)
        {
            w[i] = 1.0;
        }
        return w;
    }

    /// <summary>
    /// Univariate bandwidths: each kernel's σ is the gap to its farther neighbour among the sorted centres with
    /// <paramref name="low"/> and <paramref name="high"/> added as ends; without <paramref name="considerEndpoints"/>
    /// the outermost centres use their inner neighbour only (when there are at least two). Result in input order.
    /// </summary>
    public static double[] UnivariateSigmas(ReadOnlySpan<double> mus, double low, double high, bool considerEndpoints)
    {
        var m = mus.Length;
        var sigmas = new double[m];
        if (m == 0)
        {
            return sigmas;
        }
        var order = new int[m];
        var sorted = mus.ToArray();
        for (var i = 0; i < m; i++)
        {
            order[i] = i;
        }
        Array.Sort(sorted, order);
        for (var i = 0; i < m; i++)
        {
            var left = i == 0 ? low : sorted[i - 1];
            var right = i == m - 1 ? high : sorted[i + 1];
            sigmas[order[i]] = Math.Max(sorted[i] - left, right - sorted[i]);
        }
        if (!considerEndpoints && m >= 2)
        {
            sigmas[order[0]] = sorted[1] - sorted[0];
            sigmas[order[m - 1]] = sorted[m - 1] - sorted[m - 2];
        }
        return sigmas;
    }

    /// <summary>Multivariate bandwidth, the same for every kernel: <c>0.2 · max(m,1)^(−1/(d+4)) · (high − low)</c>.</summary>
    public static double MultivariateSigma(int observations, int dimensions, double low, double high) =>
        0.2 * Math.Pow(Math.Max(observations, 1), -1.0 / (dimensions + 4)) * (high - low);

    /// <summary>
    /// Clips bandwidths into <c>[σ_min, high − low]</c> with <c>σ_min = (high − low) / min(100, 1 + kernels)</c> under the
    /// magic clip (kernels counting the prior), else 1e-12.
    /// </summary>
    public static void Clip(Span<double> sigmas, double low, double high, int kernels, bool magicClip)
    {
        var max = high - low;
        var min = magicClip ? (high - low) / Math.Min(100.0, 1.0 + kernels) : 1e-12;
        for (var i = 0; i < sigmas.Length; i++)
        {
            sigmas[i] = Math.Clamp(sigmas[i], Math.Min(min, max), max);
        }
    }
}
