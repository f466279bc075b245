namespace Fathom.Tuning;

/// <summary>
/// Hypervolume of loss vectors (minimisation) against a reference point: an exact sweep for two objectives and the
/// WFG recursion (While et al. 2012) above, with the 2-D sweep as its base case. Points not strictly better than
/// the reference in every objective add nothing. Also each Pareto point's contribution, and greedy hypervolume
/// subset selection (HSSP) as MOTPE uses it to tie-break its last front.
/// </summary>
internal static class Hypervolume
{
    public static double Compute(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        foreach (var r in reference)
        {
            if (!double.IsFinite(r))
            {
                return double.PositiveInfinity;
            }
        }
        var r0 = reference.ToArray();
        var inside = points.Where(p => Below(p, r0)).ToList();
        return Wfg(NonDominated(inside), r0);
    }

    /// <summary>
    /// Each point's exclusive contribution <c>HV(P) − HV(P \ {p})</c>: zero for dominated points and for duplicates.
    /// </summary>
    public static double[] Contributions(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        var r = reference.ToArray();
        var n = points.Count;
        var result = new double[n];
        var total = Compute(points, r);
        if (double.IsInfinity(total))
        {
            return result;
        }
        var front = MultiObjective.ParetoFront(points);
        foreach (var i in front)
        {
            var rest = new List<double[]>(n - 1);
            for (var j = 0; j < n; j++)
            {
                if (j != i)
                {
                    rest.Add(points[j]);
                }
            }
            result[i] = Math.Max(0, total - Compute(rest, r));
        }
        return result;
    }

    /// <summary>
    /// Greedy HSSP: picks <paramref name="k"/> of the points, each time the one adding the most hypervolume to those
    /// picked (a 1 − 1/e approximation). Distinct loss vectors come first (lexicographic order breaks ties);
    /// duplicates only fill up when there are fewer distinct vectors than <paramref name="k"/>. Returns indices.
    /// </summary>
    public static int[] SelectSubset(IReadOnlyList<double[]> points, int k, ReadOnlySpan<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        var n = points.Count;
        if (k >= n)
        {
            return [.. Enumerable.Range(0, n)];
        }
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => Lexicographic(points[a], points[b]) is var c && c != 0 ? c : a.CompareTo(b));
        var unique = new List<int>();
        var duplicates = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (i > 0 && Lexicographic(points[order[i]], points[order[i - 1]]) == 0)
            {
                duplicates.Add(order[i]);
            }
            else
            {
                unique.Add(order[i]);
            }
        }
        if (unique.Count <= k)
        {
            return [.. unique.Concat(duplicates.OrderBy(i => i).Take(k - unique.Count)).Order()];
        }
        var r = reference.ToArray();
        if (r.Any(v => !double.IsFinite(v)))
        {
            return [.. unique.Take(k)];
        }
        var selected = new List<double[]>(k);
        var chosen = new List<int>(k);
        var candidates = new List<int>(unique);
        var current = 0.0;
        for (var step = 0; step < k; step++)
        {
            var best = -1;
            var bestGain = double.NegativeInfinity;
            foreach (var c in candidates)
            {
                selected.Add(points[c]);
                var gain = Compute(selected, r) - current;
                selected.RemoveAt(selected.Count - 1);
                if (gain > bestGain)
                {
                    bestGain = gain;
                    best = c;
                }
            }
            chosen.Add(best);
            selected.Add(points[best]);
            candidates.Remove(best);
            current += bestGain;
        }
        return [.. chosen];
    }

    /// <summary>MOTPE's reference point for a set of losses: per objective <c>max(1.1·worst, 0.9·worst)</c>, 0 → 1e-12.</summary>
    public static double[] MotpeReferencePoint(IReadOnlyList<double[]> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        var d = losses[0].Length;
        var r = new double[d];
        for (var k = 0; k < d; k++)
        {
            var worst = losses.Max(l => l[k]);
            r[k] = Math.Max(1.1 * worst, 0.9 * worst);
            if (r[k] == 0)
            {
                r[k] = 1e-12;
            }
        }
        return r;
    }

    private static bool Below(double[] p, double[] r)
    {
        for (var k = 0; k < r.Length; k++)
        {
            if (!(p[k] < r[k]))
            {
                return false;
            }
        }
        return true;
    }

    private static int Lexicographic(double[] a, double[] b)
    {
        for (var k = 0; k < a.Length; k++)
        {
            var c = a[k].CompareTo(b[k]);
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }

    private static List<double[]> NonDominated(List<double[]> points)
    {
        var result = new List<double[]>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            var keep = true;
            for (var j = 0; j < points.Count && keep; j++)
            {
                // Dominated points go, and of equal points only the first stays.
                keep = !(MultiObjective.Dominates(points[j], points[i]) || (j < i && Lexicographic(points[j], points[i]) == 0));
            }
            if (keep)
            {
                result.Add(points[i]);
            }
        }
        return result;
    }

    private static double Wfg(List<double[]> points, double[] r)
    {
        var n = points.Count;
        if (n == 0)
        {
            return 0;
        }
        if (r.Length == 2)
        {
            return Sweep2D(points, r);
        }
        if (n == 1)
        {
            return Inclusive(points[0], r);
        }
        points.Sort((a, b) => a[0].CompareTo(b[0]));
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            // Exclusive volume of point i over those after it: its box minus the boxes of the rest limited to it.
            var limited = new List<double[]>(n - i - 1);
            for (var j = i + 1; j < n; j++)
            {
                var q = new double[r.Length];
                for (var k = 0; k < r.Length; k++)
                {
                    q[k] = Math.Max(points[i][k], points[j][k]);
                }
                limited.Add(q);
            }
            total += Inclusive(points[i], r) - Wfg(NonDominated(limited), r);
        }
        return total;
    }

    private static double Inclusive(double[] p, double[] r)
    {
        var v = 1.0;
        for (var k = 0; k < r.Length; k++)
        {
            v *= r[k] - p[k];
        }
        return v;
    }

    private static double Sweep2D(List<double[]> points, double[] r)
    {
        var sorted = points.OrderBy(p => p[0]).ThenBy(p => p[1]).ToList();
        var volume = 0.0;
        var yPrev = r[1];
        foreach (var p in sorted)
        {
            if (p[1] < yPrev)
            {
                volume += (r[0] - p[0]) * (yPrev - p[1]);
                yPrev = p[1];
            }
        }
        return volume;
    }
}
