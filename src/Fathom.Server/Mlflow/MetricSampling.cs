namespace Fathom.Mlflow;

/// <summary>How MLflow's UI endpoint thins a long history: evenly spaced steps of those actually logged.</summary>
internal static class MetricSampling
{
    /// <summary>
    /// At most <paramref name="maxResults"/> evenly spaced steps of <paramref name="sortedSteps"/> within
    /// [<paramref name="start"/>, <paramref name="end"/>], plus the last step of that range; every step in range
    /// when there are few enough. Mirrors MLflow's <c>_get_sampled_steps_from_steps</c>, including its bound
    /// check against the count of steps in range rather than the index of the range's end.
    /// </summary>
    public static HashSet<long> SampleSteps(IReadOnlyList<long> sortedSteps, long start, long end, int maxResults)
    {
        ArgumentNullException.ThrowIfNull(sortedSteps);
        var first = LowerBound(sortedSteps, start);
        var last = UpperBound(sortedSteps, end);
        var inRange = last - first;
        if (inRange <= maxResults)
        {
            return [.. Slice(sortedSteps, first, last)];
        }

        var interval = (double)inRange / maxResults;
        var sampled = new HashSet<long>();
        for (var i = 0; i < maxResults; i++)
        {
            var index = first + (int)(i * interval);
            if (index < inRange)
            {
                sampled.Add(sortedSteps[index]);
            }
        }

        sampled.Add(sortedSteps[last - 1]);
        return sampled;
    }

    private static IEnumerable<long> Slice(IReadOnlyList<long> steps, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            yield return steps[i];
        }
    }

    // The first index whose step is >= value (Python's bisect_left).
    private static int LowerBound(IReadOnlyList<long> steps, long value)
    {
        int lo = 0, hi = steps.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (steps[mid] < value)
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

    // The first index whose step is > value (Python's bisect_right).
    private static int UpperBound(IReadOnlyList<long> steps, long value)
    {
        int lo = 0, hi = steps.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (steps[mid] <= value)
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
