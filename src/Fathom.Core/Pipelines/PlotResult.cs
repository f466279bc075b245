namespace Fathom.Pipelines;

/// <summary>A plot ready to render: its definition, its series (one per revision, file and y field), an image's bytes, and what could not be read.</summary>
internal sealed record PlotResult(PlotDefinition Definition, IReadOnlyList<PlotSeries> Series, IReadOnlyDictionary<string, byte[]> Images, IReadOnlyList<string> Errors)
{
    public string Title => Definition.Title ?? Definition.Id;

    public string XLabel => Definition.XLabel ?? Series.Select(s => s.XField).Distinct(StringComparer.Ordinal).SingleOrDefault() ?? "step";

    public string YLabel => Definition.YLabel ?? (Series.Select(s => s.YField).Distinct(StringComparer.Ordinal).ToList() is [var one] ? one : "value");
}
