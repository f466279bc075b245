namespace Fathom.Tracking;

/// <summary>
/// One point of a metric's history without its key: a history read is of one key, and a struct costs no
/// allocation per point when a 100,000-step history streams out of the store.
/// </summary>
/// <param name="Value">The value; NaN and infinities are allowed.</param>
/// <param name="Timestamp">Milliseconds since the Unix epoch.</param>
/// <param name="Step">The training step the value belongs to.</param>
public readonly record struct MetricPoint(double Value, long Timestamp, long Step)
{
    /// <summary>The point as a <see cref="Metric"/> of <paramref name="key"/>.</summary>
    public Metric ToMetric(string key) => new(key, Value, Timestamp, Step);
}
