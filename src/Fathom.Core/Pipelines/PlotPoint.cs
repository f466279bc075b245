namespace Fathom.Pipelines;

/// <summary>A data point: the x value as read (a number or text) and the y value.</summary>
internal sealed record PlotPoint(object X, double Y);
