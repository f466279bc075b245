namespace Fathom.Pipelines;

/// <summary>One line of a plot: a field of a data file at a revision, as (x, y) points (x is the row index, <c>step</c>, when no x field is set).</summary>
internal sealed record PlotSeries(string Revision, string File, string XField, string YField, IReadOnlyList<PlotPoint> Points);
