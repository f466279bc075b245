using System.Globalization;
using System.Net;
using System.Text;
using Fathom.Pipelines;

namespace Fathom.Cli.Rendering;

/// <summary>
/// DVC's categorical templates drawn without Vega: <c>confusion</c>/<c>confusion_normalized</c> as a matrix of counts
/// (columns the actual class, x; rows the predicted one, y; normalized: each count as a share of its actual class, as
/// DVC's template divides by the column's sum) and <c>bar_horizontal</c>/<c>bar_horizontal_sorted</c> as bars.
/// </summary>
internal static partial class PlotsHtml
{
    private const int Cell = 44;
    private const int LabelWidth = 120;
    private const int BarHeight = 18;

    private static Dictionary<string, object?> CategoryVegaLite(PlotResult plot)
    {
        var definition = plot.Definition;
        var xField = plot.Series.Select(s => s.XField).FirstOrDefault() ?? "x";
        var yField = plot.Series.Select(s => s.YField).FirstOrDefault() ?? "y";
        var values = plot.Series.SelectMany(s => s.Points.Select(p => new Dictionary<string, object?>
        {
            [xField] = definition.IsConfusion ? p.X : p.Y,
            [yField] = definition.IsConfusion ? p.Category : p.X,
            ["rev"] = s.Revision,
            ["filename"] = s.File,
        })).ToList();
        var encoding = definition.IsConfusion
            ? new Dictionary<string, object?>
            {
                ["x"] = new Dictionary<string, object?> { ["field"] = xField, ["type"] = "nominal", ["title"] = plot.XLabel },
                ["y"] = new Dictionary<string, object?> { ["field"] = yField, ["type"] = "nominal", ["title"] = plot.YLabel },
                ["color"] = new Dictionary<string, object?> { ["aggregate"] = "count", ["type"] = "quantitative" },
                ["facet"] = new Dictionary<string, object?> { ["field"] = "rev", ["type"] = "nominal" },
            }
            : new Dictionary<string, object?>
            {
                ["x"] = new Dictionary<string, object?> { ["field"] = xField, ["type"] = "quantitative", ["title"] = plot.XLabel },
                ["y"] = new Dictionary<string, object?> { ["field"] = yField, ["type"] = "nominal", ["title"] = plot.YLabel, ["sort"] = definition.Template.EndsWith("_sorted", StringComparison.Ordinal) ? "-x" : null },
                ["yOffset"] = new Dictionary<string, object?> { ["field"] = "rev" },
                ["color"] = new Dictionary<string, object?> { ["field"] = "rev", ["type"] = "nominal" },
            };
        return new Dictionary<string, object?>
        {
            ["$schema"] = "https://vega.github.io/schema/vega-lite/v5.json",
            ["title"] = plot.Title,
            ["data"] = new Dictionary<string, object?> { ["values"] = values },
            ["mark"] = new Dictionary<string, object?> { ["type"] = definition.IsConfusion ? "rect" : "bar", ["tooltip"] = true },
            ["encoding"] = encoding,
        };
    }

    // One matrix per series (revision, file, field); each cell says what it counts in its <title>.
    private static string ConfusionSvg(PlotResult plot)
    {
        var normalized = plot.Definition.Template == "confusion_normalized";
        var sb = new StringBuilder();
        foreach (var series in plot.Series)
        {
            var actual = series.Points.Select(p => p.X.ToString()!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var predicted = series.Points.Select(p => p.Category!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var counts = series.Points.GroupBy(p => (Actual: p.X.ToString()!, Predicted: p.Category!)).ToDictionary(g => g.Key, g => g.Count());
            var totals = actual.ToDictionary(a => a, a => counts.Where(c => c.Key.Actual == a).Sum(c => c.Value), StringComparer.Ordinal);
            var max = counts.Count == 0 ? 1 : counts.Values.Max();
            var width = LabelWidth + (Cell * actual.Count) + 8;
            var height = 24 + (Cell * predicted.Count) + 40;
            sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"confusion\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\">\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"14\" font-size=\"12\">{WebUtility.HtmlEncode($"{series.Revision}: {series.File}")}</text>\n");
            for (var row = 0; row < predicted.Count; row++)
            {
                var y = 24 + (row * Cell);
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 6}\" y=\"{y + (Cell / 2) + 4}\" text-anchor=\"end\" font-size=\"11\">{WebUtility.HtmlEncode(predicted[row])}</text>\n");
                for (var column = 0; column < actual.Count; column++)
                {
                    var x = LabelWidth + (column * Cell);
                    var count = counts.GetValueOrDefault((actual[column], predicted[row]));
                    var value = normalized ? Short((double)count / Math.Max(1, totals[actual[column]])) : count.ToString(CultureInfo.InvariantCulture);
                    var shade = ((double)count / max).ToString("0.##", CultureInfo.InvariantCulture);
                    sb.Append(CultureInfo.InvariantCulture, $"<g><title>{WebUtility.HtmlEncode($"{series.XField} {actual[column]}, {series.YField} {predicted[row]}: {value}")}</title>")
                        .Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{Cell - 2}\" height=\"{Cell - 2}\" fill=\"#945dd6\" fill-opacity=\"{shade}\" stroke=\"#ccc\"/>")
                        .Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (Cell / 2)}\" y=\"{y + (Cell / 2) + 4}\" text-anchor=\"middle\" font-size=\"12\">{value}</text></g>\n");
                }
            }

            var bottom = 24 + (Cell * predicted.Count);
            for (var column = 0; column < actual.Count; column++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + (column * Cell) + (Cell / 2)}\" y=\"{bottom + 14}\" text-anchor=\"middle\" font-size=\"11\">{WebUtility.HtmlEncode(actual[column])}</text>\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + (Cell * actual.Count / 2)}\" y=\"{bottom + 32}\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(plot.XLabel)}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{bottom + 32}\" font-size=\"12\">{WebUtility.HtmlEncode(plot.YLabel)} \u2191</text>\n");
            sb.Append("</svg>\n");
        }

        return sb.ToString();
    }

    // Bars grouped by label (one per revision and file), longest first for the _sorted template, as DVC sorts by -x.
    private static string BarSvg(PlotResult plot)
    {
        var bars = plot.Series.SelectMany((s, i) => s.Points.Select(p => (Label: p.X.ToString()!, p.Y, Series: s, Color: Colors[i % Colors.Length]))).ToList();
        var labels = bars.Select(b => b.Label).Distinct(StringComparer.Ordinal).ToList();
        if (plot.Definition.Template == "bar_horizontal_sorted")
        {
            labels = labels.OrderByDescending(l => bars.Where(b => b.Label == l).Max(b => b.Y)).ToList();
        }

        var max = bars.Count == 0 ? 1 : Math.Max(bars.Max(b => Math.Abs(b.Y)), double.Epsilon);
        var rows = labels.SelectMany(l => bars.Where(b => b.Label == l)).ToList();
        var height = (rows.Count * (BarHeight + 4)) + 40;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\">\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, value, series, color) = rows[i];
            var y = 8 + (i * (BarHeight + 4));
            var length = Math.Abs(value) / max * (Width - LabelWidth - 70);
            sb.Append(CultureInfo.InvariantCulture, $"<g><title>{WebUtility.HtmlEncode($"{series.Revision}: {label}: {Short(value)}")}</title>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 6}\" y=\"{y + 13}\" text-anchor=\"end\" font-size=\"11\">{WebUtility.HtmlEncode(label)}</text>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{length:0.#}\" height=\"{BarHeight}\" fill=\"{color}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + length + 4:0.#}\" y=\"{y + 13}\" font-size=\"11\">{Short(value)}</text></g>\n");
        }

        var bottom = height - 12;
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + ((Width - LabelWidth) / 2)}\" y=\"{bottom}\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(plot.XLabel)}</text>\n");
        sb.Append("</svg>\n<p class=\"legend\">");
        for (var i = 0; i < plot.Series.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<span style=\"color:{Colors[i % Colors.Length]}\">&#9632; {WebUtility.HtmlEncode($"{plot.Series[i].Revision}: {plot.Series[i].File}")}</span>");
        }

        return sb.Append("</p>\n").ToString();
    }
}
