namespace Fathom.Tracking;

/// <summary>One point of a metric's history.</summary>
/// <param name="Key">The metric name.</param>
/// <param name="Value">The value; NaN and infinities are allowed.</param>
/// <param name="Timestamp">Milliseconds since the Unix epoch.</param>
/// <param name="Step">The training step the value belongs to.</param>
public sealed record Metric(string Key, double Value, long Timestamp, long Step);
