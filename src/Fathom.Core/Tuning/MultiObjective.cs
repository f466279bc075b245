namespace Fathom.Tuning;

/// <summary>
/// Pareto dominance over loss vectors (every objective minimised; negate maximised ones first): non-dominated
/// sorting (Deb et al. 2002), the Pareto front and crowding distance, as NSGA-II and MOTPE use them.
/// </summary>
internal static class MultiObjective
{
    /// <summary>a ≺ b: no worse in every objective and better in at least one.</summary>
    public static bool Dominates(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var better = false;
        for (var k = 0; k < a.Length; k++)
        {
            if (a[k] > b[k])
            {
                return false;
            }
            better |= a[k] < b[k];
        }
        return better;
    }

    /// <summary>
    /// Non-domination rank of each point: 0 for the Pareto front, 1 for the front of the rest, and so on. With
    /// <paramref name="stopAfter"/> ranking stops once that many points are ranked; the rest get int.MaxValue.
    /// </summary>
    public static int[] NonDominatedRanks(IReadOnlyList<double[]> losses, int? stopAfter = null)
    {
        ArgumentNullException.ThrowIfNull(losses);
        var n = losses.Count;
        var ranks = new int[n];
        Array.Fill(ranks, int.MaxValue);
        var dominatedBy = new int[n];
        var dominates = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            dominates[i] = [];
        }
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (Dominates(losses[i], losses[j]))
                {
                    dominates[i].Add(j);
                    dominatedBy[j]++;
                }
                else if (Dominates(losses[j], losses[i]))
                {
                    dominates[j].Add(i);
                    dominatedBy[i]++;
                }
            }
        }
        var front = Enumerable.Range(0, n).Where(i => dominatedBy[i] == 0).ToList();
        var rank = 0;
        var ranked = 0;
        var limit = stopAfter ?? n;
        while (front.Count > 0 && ranked < limit)
        {
            var next = new List<int>();
            foreach (var i in front)
            {
                ranks[i] = rank;
                foreach (var j in dominates[i])
                {
                    if (--dominatedBy[j] == 0)
                    {
                        next.Add(j);
                    }
                }
            }
            ranked += front.Count;
            front = next;
            rank++;
        }
        return ranks;
    }

    /// <summary>Indices of the points no other point dominates.</summary>
    public static int[] ParetoFront(IReadOnlyList<double[]> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        var front = new List<int>();
        for (var i = 0; i < losses.Count; i++)
        {
            var dominated = false;
            for (var j = 0; j < losses.Count && !dominated; j++)
            {
                dominated = j != i && Dominates(losses[j], losses[i]);
            }
            if (!dominated)
            {
                front.Add(i);
            }
        }
        return [.. front];
    }

    /// <summary>
    /// Crowding distance of each point of one front, summed over objectives (Optuna's NSGA-II rule): per objective,
    /// sorted, the gap between a point's neighbours over the finite range (1 when that is empty); the ends have a
    /// virtual ∓∞ neighbour so they get +∞; an objective whose values are all equal adds nothing; equal neighbours add 0.
    /// </summary>
    public static double[] CrowdingDistance(IReadOnlyList<double[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
        var distance = new double[n];
        if (n == 0)
        {
            return distance;
        }
        var order = new int[n];
        for (var k = 0; k < values[0].Length; k++)
        {
            for (var i = 0; i < n; i++)
            {
                order[i] = i;
            }
            var kk = k;
            Array.Sort(order, (a, b) => values[a][kk].CompareTo(values[b][kk]) is var c && c != 0 ? c : a.CompareTo(b));
            if (values[order[0]][k] == values[order[n - 1]][k])
            {
                continue;
            }
            var finite = order.Select(i => values[i][kk]).Where(v => !double.IsInfinity(v)).ToArray();
            var width = finite.Length > 0 ? finite[^1] - finite[0] : 0;
            if (width <= 0)
            {
                width = 1;
            }
            for (var r = 0; r < n; r++)
            {
                var prev = r == 0 ? double.NegativeInfinity : values[order[r - 1]][k];
                var next = r == n - 1 ? double.PositiveInfinity : values[order[r + 1]][k];
                distance[order[r]] += (prev == next ? 0 : next - prev) / width;
            }
        }
        return distance;
    }
}
