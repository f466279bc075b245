using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Fathom.Pipelines;

namespace Fathom.Cli.Rendering;

/// <summary>
/// <c>dvc plots show</c>'s outputs without the network: a Vega-Lite spec per plot with its data inlined (what DVC's
/// <c>--json</c> gives), and one self-contained HTML page drawing each plot as an inline SVG chart (DVC's page loads
/// vega from a CDN; ours embeds the specs as JSON beside the drawings instead).
/// </summary>
internal static partial class PlotsHtml
{
    private const int Width = 560;
    private const int Height = 300;
    private const int Margin = 48;
    private static readonly string[] Colors = ["#945dd6", "#13adc7", "#f46837", "#48bb78", "#4299e1", "#ed8936", "#f56565", "#718096"];

    /// <summary>A Vega-Lite v5 spec of the plot with its data points inlined (fields: x, y, rev, filename, field).</summary>
    public static Dictionary<string, object?> VegaLite(PlotResult plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (plot.Definition.IsConfusion || plot.Definition.IsBar)
        {
            return CategoryVegaLite(plot);
        }

        var x = plot.Series.Select(s => s.XField).FirstOrDefault() ?? "step";
        var values = plot.Series.SelectMany(s => s.Points.Select(p => new Dictionary<string, object?>
        {
            [x] = p.X,
            [plot.YLabel] = p.Y,
            ["rev"] = s.Revision,
            ["filename"] = s.File,
            ["field"] = s.YField,
        })).ToList();
        var scatter = plot.Definition.Template.StartsWith("scatter", StringComparison.Ordinal);
        return new Dictionary<string, object?>
        {
            ["$schema"] = "https://vega.github.io/schema/vega-lite/v5.json",
            ["title"] = plot.Title,
            ["width"] = Width,
            ["height"] = Height,
            ["data"] = new Dictionary<string, object?> { ["values"] = values },
            ["mark"] = new Dictionary<string, object?> { ["type"] = scatter ? "point" : "line", ["tooltip"] = true },
            ["encoding"] = new Dictionary<string, object?>
            {
                ["x"] = new Dictionary<string, object?> { ["field"] = x, ["type"] = plot.Series.SelectMany(s => s.Points).All(p => p.X is not string) ? "quantitative" : "nominal", ["title"] = plot.XLabel },
                ["y"] = new Dictionary<string, object?> { ["field"] = plot.YLabel, ["type"] = "quantitative", ["title"] = plot.YLabel, ["scale"] = new Dictionary<string, object?> { ["zero"] = false } },
                ["color"] = new Dictionary<string, object?> { ["field"] = "rev", ["type"] = "nominal" },
                ["strokeDash"] = new Dictionary<string, object?> { ["field"] = "field", ["type"] = "nominal" },
            },
        };
    }

    public static string Page(IReadOnlyList<PlotResult> plots)
    {
        ArgumentNullException.ThrowIfNull(plots);
        var sb = new StringBuilder("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>DVC Plot</title>\n")
            .Append("<style>body{font-family:sans-serif;margin:2em} section{margin-bottom:2em} .legend span{margin-right:1em} .errors{color:#c53030}</style>\n")
            .Append("</head>\n<body>\n");
        for (var i = 0; i < plots.Count; i++)
        {
            var plot = plots[i];
            sb.Append("<section id=\"plot-").Append(i).Append("\">\n<h2>").Append(WebUtility.HtmlEncode(plot.Title)).Append("</h2>\n");
            foreach (var (name, bytes) in plot.Images)
            {
                var mime = Path.GetExtension(name).ToLowerInvariant() switch { ".svg" => "image/svg+xml", ".png" => "image/png", ".gif" => "image/gif", _ => "image/jpeg" };
                sb.Append("<figure><img alt=\"").Append(WebUtility.HtmlEncode(name)).Append("\" src=\"data:").Append(mime).Append(";base64,").Append(Convert.ToBase64String(bytes)).Append("\"><figcaption>")
                    .Append(WebUtility.HtmlEncode(name)).Append("</figcaption></figure>\n");
            }

            if (plot.Series.Count > 0)
            {
                sb.Append(plot.Definition.IsConfusion ? ConfusionSvg(plot) : plot.Definition.IsBar ? BarSvg(plot) : Svg(plot));
                // The spec with its data, so the plot can be opened in any Vega-Lite viewer.
                sb.Append("<script type=\"application/json\" class=\"vega-lite\">").Append(JsonSerializer.Serialize(VegaLite(plot)).Replace("</", "<\\/", StringComparison.Ordinal)).Append("</script>\n");
            }

            foreach (var error in plot.Errors)
            {
                sb.Append("<p class=\"errors\">").Append(WebUtility.HtmlEncode(error)).Append("</p>\n");
            }

            sb.Append("</section>\n");
        }

        return sb.Append("</body>\n</html>\n").ToString();
    }

    // Lines (points for scatter templates) scaled into the box; numeric x values keep their spacing, text x values are spread evenly.
    private static string Svg(PlotResult plot)
    {
        var numericX = plot.Series.SelectMany(s => s.Points).All(p => p.X is not string);
        var labels = numericX ? [] : plot.Series.SelectMany(s => s.Points).Select(p => p.X.ToString()!).Distinct(StringComparer.Ordinal).ToList();
        double X(PlotPoint p) => numericX ? Convert.ToDouble(p.X, CultureInfo.InvariantCulture) : labels.IndexOf(p.X.ToString()!);
        var points = plot.Series.SelectMany(s => s.Points).ToList();
        var (minX, maxX) = points.Count == 0 ? (0d, 1d) : (points.Min(X), points.Max(X));
        var (minY, maxY) = points.Count == 0 ? (0d, 1d) : (points.Min(p => p.Y), points.Max(p => p.Y));
        double Sx(double v) => Margin + ((maxX > minX ? (v - minX) / (maxX - minX) : 0.5) * (Width - (2 * Margin)));
        double Sy(double v) => Height - Margin - ((maxY > minY ? (v - minY) / (maxY - minY) : 0.5) * (Height - (2 * Margin)));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"{Height - Margin}\" x2=\"{Width - Margin}\" y2=\"{Height - Margin}\" stroke=\"#888\"/><line x1=\"{Margin}\" y1=\"{Margin}\" x2=\"{Margin}\" y2=\"{Height - Margin}\" stroke=\"#888\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(plot.XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{Height / 2}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 12 {Height / 2})\">{WebUtility.HtmlEncode(plot.YLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin - 4}\" y=\"{Margin + 4}\" text-anchor=\"end\" font-size=\"10\">{Short(maxY)}</text><text x=\"{Margin - 4}\" y=\"{Height - Margin}\" text-anchor=\"end\" font-size=\"10\">{Short(minY)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"{Height - Margin + 14}\" font-size=\"10\">{(numericX ? Short(minX) : WebUtility.HtmlEncode(labels.FirstOrDefault() ?? ""))}</text><text x=\"{Width - Margin}\" y=\"{Height - Margin + 14}\" text-anchor=\"end\" font-size=\"10\">{(numericX ? Short(maxX) : WebUtility.HtmlEncode(labels.LastOrDefault() ?? ""))}</text>\n");
        var scatter = plot.Definition.Template.StartsWith("scatter", StringComparison.Ordinal);
        var legend = new StringBuilder("<p class=\"legend\">");
        for (var i = 0; i < plot.Series.Count; i++)
        {
            var series = plot.Series[i];
            var color = Colors[i % Colors.Length];
            var coordinates = series.Points.Select(p => (Sx(X(p)), Sy(p.Y))).ToList();
            if (scatter)
            {
                foreach (var (cx, cy) in coordinates)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{cx:0.#}\" cy=\"{cy:0.#}\" r=\"3\" fill=\"{color}\"/>");
                }

                sb.Append('\n');
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', coordinates.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Item1:0.#},{c.Item2:0.#}")))}\"/>\n");
            }

            legend.Append(CultureInfo.InvariantCulture, $"<span style=\"color:{color}\">&#9632; {WebUtility.HtmlEncode($"{series.Revision}: {series.File} {series.YField}")}</span>");
        }

        return sb.Append("</svg>\n").Append(legend).Append("</p>\n").ToString();
    }

    private static string Short(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
