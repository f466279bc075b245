namespace Fathom.Tuning;

internal sealed partial class TpeSampler
{
    private static readonly double[] NoRow = [];

    /// <summary>
    /// One side's observations: a column of internal values per param for the trials holding every param of the space
    /// (oldest first), which of the given trials those were, and per param the kernels in ascending order of value
    /// (null when the bandwidths need no order).
    /// </summary>
    private sealed record Observed(double[][] Columns, bool[] Mask, int[][]? Orders);

    /// <summary>
    /// Rows of finished trials for one search space, by trial number (finished trials never change), and per param the
    /// numbers of the trials with a row in ascending order of that param's value (ties by number), kept up to date as
    /// rows are added: the neighbour-gap bandwidths then take each side's order by one walk instead of a sort per ask.
    /// </summary>
    internal sealed class SpaceRows(int parameters)
    {
        /// <summary>Each finished trial's row by number: null when not seen yet, empty when it lacks the space.</summary>
        public List<double[]?> Rows { get; } = [];

        /// <summary>Per param, the numbers of the trials with a row, ascending by that param's value, then by number.</summary>
        public List<int>[] Sorted { get; } = [.. Enumerable.Range(0, parameters).Select(_ => new List<int>())];

        /// <summary>Records a finished trial's row (empty when it lacks the space) and files it in each param's order.</summary>
        public void Add(int number, double[] row)
        {
            while (Rows.Count <= number)
            {
                Rows.Add(null);
            }
            Rows[number] = row;
            for (var j = 0; j < row.Length; j++)
            {
                var sorted = Sorted[j];
                var at = BinarySearch(sorted, row[j], number, j);
                sorted.Insert(at, number);
            }
        }

        /// <summary>
        /// Per param, the rows <paramref name="kept"/> in ascending order of value (as indices), where
        /// <paramref name="numbers"/> gives each row's trial number (−1 for a running trial) and <paramref name="unsorted"/>
        /// the running ones: the finished ones by a walk over the cached order of all finished trials, merged with the few
        /// running ones sorted here.
        /// </summary>
        public int[][] Orders(List<double[]> kept, List<int> numbers, List<int> unsorted)
        {
            var kernelOf = new int[Rows.Count];
            Array.Fill(kernelOf, -1);
            for (var k = 0; k < numbers.Count; k++)
            {
                if (numbers[k] >= 0)
                {
                    kernelOf[numbers[k]] = k;
                }
            }
            var orders = new int[Sorted.Length][];
            for (var j = 0; j < orders.Length; j++)
            {
                var order = new int[kept.Count];
                var extra = unsorted.OrderBy(k => kept[k][j]).ThenBy(k => k).ToArray();
                var e = 0;
                var n = 0;
                foreach (var number in Sorted[j])
                {
                    var k = kernelOf[number];
                    if (k < 0)
                    {
                        continue;
                    }
                    while (e < extra.Length && kept[extra[e]][j] < kept[k][j])
                    {
                        order[n++] = extra[e++];
                    }
                    order[n++] = k;
                }
                while (e < extra.Length)
                {
                    order[n++] = extra[e++];
                }
                orders[j] = order;
            }
            return orders;
        }

        // The position of (value, number) among the sorted numbers.
        private int BinarySearch(List<int> sorted, double value, int number, int j)
        {
            int lo = 0, hi = sorted.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                var other = Rows[sorted[mid]]![j];
                if (other < value || (other == value && sorted[mid] < number))
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /// <summary>
    /// The observations of <paramref name="trials"/> (ordered by number) for <paramref name="space"/>. Running trials
    /// also count their joint params recorded by the constant liar.
    /// </summary>
    private Observed Observations(StudyView study, IReadOnlyList<FrozenTrial> trials, List<KeyValuePair<string, ParamDistribution>> space)
    {
        var cache = RowCache(study, space);
        var mask = new bool[trials.Count];
        var kept = new List<double[]>(trials.Count);
        var numbers = new List<int>(trials.Count);
        var unsorted = new List<int>();
        var needOrders = !_options.Multivariate || _options.Bandwidth == TpeBandwidth.Gaps;
        int[][]? orders = null;
        lock (_cacheLock)
        {
            var rows = cache.Rows;
            for (var i = 0; i < trials.Count; i++)
            {
                var t = trials[i];
                double[]? row;
                if (t.IsFinished)
                {
                    while (rows.Count <= t.Number)
                    {
                        rows.Add(null);
                    }
                    row = rows[t.Number];
                    if (row is null)
                    {
                        row = Row(t, space) ?? NoRow;
                        cache.Add(t.Number, row);
                    }
                }
                else
                {
                    row = Row(t, space) ?? NoRow;
                    if (row.Length > 0)
                    {
                        unsorted.Add(kept.Count);
                    }
                }
                if (row.Length == 0)
                {
                    continue;
                }
                mask[i] = true;
                numbers.Add(t.IsFinished ? t.Number : -1);
                kept.Add(row);
            }
            if (needOrders)
            {
                orders = cache.Orders(kept, numbers, unsorted);
            }
        }
        var columns = new double[space.Count][];
        for (var j = 0; j < space.Count; j++)
        {
            var column = new double[kept.Count];
            for (var r = 0; r < kept.Count; r++)
            {
                column[r] = kept[r][j];
            }
            columns[j] = column;
        }
        return new Observed(columns, mask, orders);
    }

    /// <summary>A trial's values for the space, or null when it lacks a param or holds one outside today's bounds.</summary>
    private static double[]? Row(FrozenTrial t, List<KeyValuePair<string, ParamDistribution>> space)
    {
        var relative = t.State == TrialState.Running ? ReadParams(t) : null;
        var row = new double[space.Count];
        for (var j = 0; j < space.Count; j++)
        {
            var name = space[j].Key;
            var ok = t.Params.TryGetValue(name, out row[j]) || (relative is not null && relative.TryGetValue(name, out row[j]));
            // A value outside today's bounds (the space changed) would put a kernel outside the support.
            if (!ok || !space[j].Value.Contains(row[j]))
            {
                return null;
            }
        }
        return row;
    }

    private SpaceRows RowCache(StudyView study, List<KeyValuePair<string, ParamDistribution>> space)
    {
        var key = study.Name + "\n" + string.Join('\n', space.Select(p => p.Key + "=" + p.Value));
        lock (_cacheLock)
        {
            if (_rows.Count > 256)
            {
                _rows.Clear();
            }
            if (!_rows.TryGetValue(key, out var rows))
            {
                _rows[key] = rows = new SpaceRows(space.Count);
            }
            return rows;
        }
    }
}
