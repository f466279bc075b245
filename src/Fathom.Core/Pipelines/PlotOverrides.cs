using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// Plot properties given on the command line (<c>-t</c>, <c>-x</c>, <c>-y</c>, <c>--title</c>, <c>--x-label</c>,
/// <c>--y-label</c>): as in <c>dvc plots show</c>, they win over what <c>dvc.yaml</c> says for every plot shown.
/// </summary>
internal sealed record PlotOverrides(string? Template = null, string? X = null, string? Y = null, string? Title = null, string? XLabel = null, string? YLabel = null)
{
    public static readonly PlotOverrides None = new();

    /// <summary>The definition with the given properties replaced; x and y apply to each of its data files.</summary>
    public PlotDefinition Apply(PlotDefinition plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (Template is not null && !PlotDefinition.Templates.Contains(Template))
        {
            throw new DataException(DataErrorKind.InvalidInput, $"--template: unknown template '{Template}' (expected {string.Join(", ", PlotDefinition.Templates)}).");
        }

        return plot with
        {
            Template = Template ?? plot.Template,
            Y = Y is null ? plot.Y : plot.Y.Keys.ToDictionary(f => f, _ => (IReadOnlyList<string>)[Y], StringComparer.Ordinal),
            X = X is null ? plot.X : plot.Y.Keys.ToDictionary(f => f, _ => X, StringComparer.Ordinal),
            Title = Title ?? plot.Title,
            XLabel = XLabel ?? plot.XLabel,
            YLabel = YLabel ?? plot.YLabel,
        };
    }
}
