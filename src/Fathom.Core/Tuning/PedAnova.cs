namespace Fathom.Tuning;

/// <summary>
/// Parameter importance by PED-ANOVA (Watanabe et al. 2023; Optuna's <c>PedAnovaImportanceEvaluator</c>, its default
/// target quantile 0.1 over all trials): for each param, the Pearson divergence between the param's density among
/// the top trials and among all trials, times (top share)². Densities are Parzen estimators on a 50-point grid
/// (Scott's bandwidth, one prior kernel) or over the choices. A param that does not matter has the same density in
/// both sets and scores 0. Single objective, complete trials holding every evaluated param.
/// </summary>
internal static class PedAnova
{
    private const int Steps = 50;
    private const double PriorWeight = 1.0;
    private const int MinTopTrials = 2;

    /// <summary>Importance per param (not normalised), highest first. Params default to the intersection space.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Evaluate(StudyView study, double targetQuantile = 0.1, IReadOnlyList<string>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        if (targetQuantile is <= 0 or >= 1)
        {
            throw new ArgumentException($"importance: target quantile must be in (0, 1), not {targetQuantile}.");
        }
        var complete = study.TrialsIn(TrialState.Complete).ToList();
        var space = Space(complete, parameters);
        var trials = complete
            .Where(t => t.Values is [var v] && double.IsFinite(v) && space.All(p => t.Params.ContainsKey(p.Key)))
            .ToList();
        var result = new List<KeyValuePair<string, double>>();
        if (trials.Count <= MinTopTrials)
        {
            return [.. space.Select(p => new KeyValuePair<string, double>(p.Key, 0))];
        }
        var sign = study.Direction == StudyDirection.Maximize ? -1.0 : 1.0;
        var losses = trials.Select(t => sign * t.Values![0]).ToArray();
        var sorted = losses.Order().ToArray();
        var cutoff = Math.Max(sorted[MinTopTrials - 1], sorted[(int)Math.Ceiling(targetQuantile * sorted.Length) - 1]);
        var top = trials.Where((_, i) => losses[i] <= cutoff).ToList();
        var share = (double)top.Count / trials.Count;
        foreach (var (name, distribution) in space)
        {
            if (distribution.IsSingle)
            {
                result.Add(new(name, 0));
                continue;
            }
            var pTop = Density(name, distribution, top);
            var pAll = Density(name, distribution, trials);
            var divergence = 0.0;
            for (var g = 0; g < pTop.Length; g++)
            {
                var a = pTop[g] + 1e-12;
                var b = pAll[g] + 1e-12;
                divergence += b * (a / b - 1) * (a / b - 1);
            }
            result.Add(new(name, share * share * divergence));
        }
        return [.. result.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)];
    }

    /// <summary>Importances scaled to sum to 1 (all zero stays zero), as <c>fathom tune show</c> prints them.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Normalise(IReadOnlyList<KeyValuePair<string, double>> importances)
    {
        ArgumentNullException.ThrowIfNull(importances);
        var total = importances.Sum(p => p.Value);
        return total > 0 ? [.. importances.Select(p => new KeyValuePair<string, double>(p.Key, p.Value / total))] : importances;
    }

    private static List<KeyValuePair<string, ParamDistribution>> Space(List<FrozenTrial> complete, IReadOnlyList<string>? parameters)
    {
        var intersection = SearchSpaces.Intersection(new StudyView("", [StudyDirection.Minimize], complete)).ToList();
        if (parameters is null)
        {
            return intersection;
        }
        // Named params: the distribution of the latest trial holding each.
        return [.. parameters.Select(n => new KeyValuePair<string, ParamDistribution>(
            n, complete.LastOrDefault(t => t.Distributions.ContainsKey(n))?.Distributions[n]
               ?? throw new ArgumentException($"importance: no complete trial has param '{n}'.")))];
    }

    /// <summary>The Parzen density of the param over its grid (numeric) or its choices (categorical).</summary>
    internal static double[] Density(string name, ParamDistribution distribution, IReadOnlyList<FrozenTrial> trials)
    {
        if (distribution is CategoricalDistribution c)
        {
            var counts = new double[c.Choices.Count];
            foreach (var t in trials)
            {
                counts[(int)t.Params[name]]++;
            }
            return CategoricalDensity(counts);
        }
        return NumericDensity(GridCounts(name, distribution, trials));
    }

    /// <summary>Counts of the param's values on a grid of at most 50 points (fewer for small int or stepped ranges).</summary>
    internal static double[] GridCounts(string name, ParamDistribution distribution, IReadOnlyList<FrozenTrial> trials)
    {
        var (low, high, log, steps) = distribution switch
        {
            IntDistribution { Log: true } i => (i.Low, i.High, true,
                Math.Min((int)Math.Ceiling(Math.Log(i.High - i.Low + 1) / Math.Log(2)) + 1, Steps)),
            IntDistribution i => (i.Low, i.High, false, (int)Math.Min((i.High - i.Low) / i.Step + 1, Steps)),
            FloatDistribution { Step: { } s } f => (f.Low, f.High, false, (int)Math.Min(Math.Round((f.High - f.Low) / s) + 1, Steps)),
            FloatDistribution f => (f.Low, f.High, f.Log, Steps),
            _ => throw new ArgumentException($"importance: {distribution} is not numeric."),
        };
        double Scale(double v) => log ? Math.Log(v) : v;
        steps = Math.Max(steps, 2);
        var lo = Scale(low);
        var width = (Scale(high) - lo) / (steps - 1);
        var counts = new double[steps];
        foreach (var t in trials)
        {
            // The first grid point at or above value − width/2 (numpy.searchsorted, side left).
            var position = (Scale(t.Params[name]) - width / 2 - lo) / width;
            var index = width > 0 ? (int)Math.Clamp(Math.Ceiling(position - 1e-12), 0, steps - 1) : 0;
            counts[index]++;
        }
        return counts;
    }

    /// <summary>
    /// Scott's-rule Parzen density on grid indices 0..n−1: discretised truncated normal kernels at the occupied
    /// indices weighted by their counts, σ = 1.059·min(IQR/1.34, sd)·N^(−1/5) floored at 0.5/1.64, plus a prior kernel
    /// (centre, σ = n, weight 1).
    /// </summary>
    internal static double[] NumericDensity(double[] counts)
    {
        var n = counts.Length;
        var mus = new List<double>();
        var weights = new List<double>();
        for (var i = 0; i < n; i++)
        {
            if (counts[i] > 0)
            {
                mus.Add(i);
                weights.Add(counts[i]);
            }
        }
        var total = weights.Sum();
        var mean = mus.Zip(weights, (m, w) => m * w).Sum() / total;
        var sd = Math.Sqrt(mus.Zip(weights, (m, w) => (m - mean) * (m - mean) * w).Sum() / Math.Max(1, total - 1));
        var cumulative = new double[weights.Count];
        var acc = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            acc += weights[i];
            cumulative[i] = acc;
        }
        var q25 = SearchSorted(cumulative, Math.Floor(total / 4), right: false);
        var q75 = SearchSorted(cumulative, Math.Floor(total * 3 / 4), right: true);
        var iqr = mus[Math.Min(mus.Count - 1, q75)] - mus[q25];
        var sigma = Math.Max(1.059 * Math.Min(iqr / 1.34, sd) * Math.Pow(total, -0.2), 0.5 / 1.64);
        var kernelMus = mus.Append(0.5 * (n - 1)).ToArray();
        var kernelSigmas = mus.Select(_ => sigma).Append(n).ToArray();
        var kernelWeights = weights.Append(PriorWeight).ToArray();
        var weightSum = kernelWeights.Sum();
        var density = new double[n];
        for (var k = 0; k < kernelMus.Length; k++)
        {
            var (mu, s) = (kernelMus[k], kernelSigmas[k]);
            var logNorm = Gaussian.LogMass((-0.5 - mu) / s, (n - 0.5 - mu) / s);
            for (var g = 0; g < n; g++)
            {
                density[g] += kernelWeights[k] / weightSum * Math.Exp(Gaussian.LogMass((g - 0.5 - mu) / s, (g + 0.5 - mu) / s) - logNorm);
            }
        }
        return density;
    }

    /// <summary>TPE's categorical kernels at the observed choices weighted by counts, plus a uniform prior of weight 1.</summary>
    internal static double[] CategoricalDensity(double[] counts)
    {
        var c = counts.Length;
        var observed = Enumerable.Range(0, c).Where(i => counts[i] > 0).ToList();
        var kernels = observed.Count + 1;
        var weightSum = counts.Sum() + PriorWeight;
        var density = new double[c];
        foreach (var o in observed)
        {
            var baseline = PriorWeight / kernels;
            var rowSum = baseline * c + 1;
            for (var x = 0; x < c; x++)
            {
                density[x] += counts[o] / weightSum * (baseline + (x == o ? 1 : 0)) / rowSum;
            }
        }
        for (var x = 0; x < c; x++)
        {
            density[x] += PriorWeight / weightSum / c;
        }
        return density;
    }

    private static int SearchSorted(double[] sorted, double value, bool right)
    {
        var i = 0;
        while (i < sorted.Length && (right ? sorted[i] <= value : sorted[i] < value))
        {
            i++;
        }
        return i;
    }
}
