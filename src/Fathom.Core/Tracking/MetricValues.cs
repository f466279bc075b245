namespace Fathom.Tracking;

/// <summary>How metric values are stored and ordered, the same in every store (MLflow's SQL-store rules).</summary>
internal static class MetricValues
{
    /// <summary>NaN is stored as 0 with an is_nan flag; infinities are clamped to ±double.MaxValue.</summary>
    public static double Stored(double value) => value switch
    {
        double.NaN => 0,
        double.PositiveInfinity => double.MaxValue,
        double.NegativeInfinity => double.MinValue,
        _ => value,
    };

    /// <summary>"Latest" is the maximum of (step, timestamp, value).</summary>
    public static bool IsLater(Metric candidate, Metric current) =>
        (candidate.Step, candidate.Timestamp, Stored(candidate.Value)).CompareTo((current.Step, current.Timestamp, Stored(current.Value))) > 0;

    /// <summary>The latest point of each key in a batch.</summary>
    public static Dictionary<string, Metric> LatestByKey(IEnumerable<Metric> metrics)
    {
        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (!latest.TryGetValue(metric.Key, out var current) || IsLater(metric, current))
            {
                latest[metric.Key] = metric;
            }
        }

        return latest;
    }
}
