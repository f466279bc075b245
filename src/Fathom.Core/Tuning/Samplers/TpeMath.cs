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
        var sigmas = new double[mus.Length];
        UnivariateSigmas(mus, low, high, considerEndpoints, AscendingOrder(mus), sigmas);
        return sigmas;
    }

    /// <summary>
    /// <see cref="UnivariateSigmas(ReadOnlySpan{double}, double, double, bool)"/> given the centres' indices in ascending
    /// order of value (<paramref name="order"/>), written into <paramref name="sigmas"/>.
    /// </summary>
    public static void UnivariateSigmas(
        ReadOnlySpan<double> mus, double low, double high, bool considerEndpoints, ReadOnlySpan<int> order, Span<double> sigmas)
    {
        var m = mus.Length;
        for (var i = 0; i < m; i++)
        {
            var x = mus[order[i]];
            var left = i == 0 ? low : mus[order[i - 1]];
            var right = i == m - 1 ? high : mus[order[i + 1]];
            sigmas[order[i]] = Math.Max(x - left, right - x);
        }
        if (!considerEndpoints && m >= 2)
        {
            sigmas[order[0]] = mus[order[1]] - mus[order[0]];
            sigmas[order[m - 1]] = mus[order[m - 1]] - mus[order[m - 2]];
        }
    }

    /// <summary>The indices of <paramref name="values"/> in ascending order of value, equal values by index.</summary>
    public static int[] AscendingOrder(ReadOnlySpan<double> values)
    {
        var keys = values.ToArray();
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(keys, order);
        // Array.Sort is not stable: put each run of equal values back in index order.
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }
            if (end - start > 1)
            {
                Array.Sort(order, start, end - start);
            }
            start = end;
        }
        return order;
    }

    /// <summary>Multivariate bandwidth, the same for every kernel: <c>0.2 · max(m,1)^(−1/(d+4)) · (high − low)</c>.</summary>
    public static double MultivariateSigma(int observations, int dimensions, double low, double high) =>
        0.2 * Math.Pow(Math.Max(observations, 1), -1.0 / (dimensions + 4)) * (high - low);

    /// <summary>
    /// Scott's rule for one param of a d-dimensional product kernel: <c>1.059 · min(sd, IQR/1.34) · m^(−1/(d+4))</c>
    /// (sd with m − 1; IQR between numpy's linear 25th and 75th percentiles; when the IQR is 0 the sd alone).
    /// Optuna's multivariate width for fewer than two observations.
    /// </summary>
    public static double ScottSigma(ReadOnlySpan<double> mus, int dimensions, double low, double high)
    {
        var m = mus.Length;
        if (m < 2)
        {
            return MultivariateSigma(m, dimensions, low, high);
        }
        var mean = 0.0;
        foreach (var x in mus)
        {
            mean += x;
        }
        mean /= m;
        var ss = 0.0;
        foreach (var x in mus)
        {
            ss += (x - mean) * (x - mean);
        }
        var sd = Math.Sqrt(ss / (m - 1));
        var sorted = mus.ToArray();
        Array.Sort(sorted);
        var iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        var spread = iqr > 0 ? Math.Min(sd, iqr / 1.34) : sd;
        return 1.059 * spread * Math.Pow(m, -1.0 / (dimensions + 4));
    }

    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /// <summary>
    /// Clips bandwidths into <c>[σ_min, high − low]</c> with <c>σ_min = (high − low) / min(100, (1 + kernels)^exponent)</c>
    /// under the magic clip (kernels counting the prior; Optuna's exponent is 1), else 1e-12.
    /// </summary>
    public static void Clip(Span<double> sigmas, double low, double high, int kernels, bool magicClip, double exponent = 1.0)
    {
        var max = high - low;
        var min = magicClip ? (high - low) / Math.Min(100.0, Math.Pow(1.0 + kernels, exponent)) : 1e-12;
        for (var i = 0; i < sigmas.Length; i++)
        {
            sigmas[i] = Math.Clamp(sigmas[i], Math.Min(min, max), max);
        }
    }
}
