namespace Fathom.Monitoring;

/// <summary>The two drift measures the monitor reports: the population stability index and the two-sample KS test.</summary>
internal static class DriftStatistics
{
    // An empty bin would make PSI infinite; the usual floor treats it as a tiny share instead.
    private const double EmptyBinShare = 1e-4;

    /// <summary>
    /// Bin edges for PSI: the baseline's deciles (fewer when values repeat, as review lengths and the 0/1 sides of a
    /// confident model do), so each bin holds about a tenth of the baseline and a shift shows wherever it happens.
    /// </summary>
    public static double[] QuantileEdges(IReadOnlyList<double> baseline, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var sorted = baseline.Order().ToArray();
        var edges = new SortedSet<double>();
        for (var i = 1; i < bins; i++)
        {
            edges.Add(sorted[Math.Min(sorted.Length - 1, (int)((long)i * sorted.Length / bins))]);
        }

        return [.. edges];
    }

    /// <summary>Each value's share per bin; a value equal to an edge falls in the bin above it.</summary>
    public static double[] Shares(IReadOnlyList<double> values, double[] edges)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(edges);
        var counts = new double[edges.Length + 1];
        foreach (var value in values)
        {
            var index = Array.BinarySearch(edges, value);
            counts[index >= 0 ? index + 1 : ~index]++;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = values.Count == 0 ? 0 : counts[i] / values.Count;
        }

        return counts;
    }

    /// <summary>PSI = Σ (recent − expected) · ln(recent / expected) over the baseline's bins.</summary>
    public static double PopulationStabilityIndex(IReadOnlyList<double> baseline, IReadOnlyList<double> recent, double[] edges)
    {
        var expected = Shares(baseline, edges);
        var actual = Shares(recent, edges);
        var psi = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = Math.Max(expected[i], EmptyBinShare);
            var a = Math.Max(actual[i], EmptyBinShare);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>The two-sample Kolmogorov–Smirnov statistic D (largest gap between the two empirical CDFs) and its p-value.</summary>
    public static (double Statistic, double PValue) KolmogorovSmirnov(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count == 0 || second.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        var a = first.Order().ToArray();
        var b = second.Order().ToArray();
        int i = 0, j = 0;
        var d = 0.0;
        while (i < a.Length && j < b.Length)
        {
            // Step past every copy of the smaller value in both samples, so ties do not open a false gap.
            var value = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] == value)
            {
                i++;
            }

            while (j < b.Length && b[j] == value)
            {
                j++;
            }

            d = Math.Max(d, Math.Abs(((double)i / a.Length) - ((double)j / b.Length)));
        }

        var n = (double)a.Length * b.Length / (a.Length + b.Length);
        return (d, KolmogorovPValue((Math.Sqrt(n) + 0.12 + (0.11 / Math.Sqrt(n))) * d));
    }

    // The asymptotic Kolmogorov distribution's tail, Q(λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²), with the usual small-sample
    // correction applied to λ by the caller.
    private static double KolmogorovPValue(double lambda)
    {
        if (lambda < 1e-3)
        {
            return 1;
        }

        var sum = 0.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2 * k * k * lambda * lambda);
            sum += (k % 2 == 1 ? 2 : -2) * term;
            if (term < 1e-12)
            {
                break;
            }
        }

        return Math.Clamp(sum, 0, 1);
    }
}
