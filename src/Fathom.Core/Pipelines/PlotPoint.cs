namespace Fathom.Pipelines;

/// <summary>
/// A data point: the x value as read (a number or text) and the y value. For DVC's <c>confusion</c> templates a point is
/// one record: X the actual class, <paramref name="Category"/> the predicted one, Y 1.
/// </summary>
internal sealed record PlotPoint(object X, double Y, string? Category = null);
