using System.Globalization;
using System.Net;
using System.Text;

namespace Fathom.Monitoring;

/// <summary>
/// The drift report as one self-contained HTML page (inline SVG, no script, no network): per feature, the baseline's
/// and the recent traffic's share of each bin side by side, with the verdict and the numbers behind it.
/// </summary>
internal static class DriftReportHtml
{
    private const int Width = 640;
    private const int Height = 200;
    private const int Pad = 30;

    public static string Render(DriftReport report, string title)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(title))
            .Append("</title><style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
            .Append("td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}")
            .Append(".drift{color:#b00020;font-weight:bold}.warn{color:#a15c00}.ok{color:#0a7d32}")
            .Append("@media (prefers-color-scheme: dark){body{background:#111;color:#ddd}td,th{border-color:#333}}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{WebUtility.HtmlEncode(title)}</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>Verdict: <span class=\"{Css(report.Verdict)}\">{report.Verdict}</span> — {report.RecentReviews:N0} recent predictions")
            .Append(report.Since is { } since ? " since " + since.ToString("u", CultureInfo.InvariantCulture) : string.Empty)
            .Append(CultureInfo.InvariantCulture, $" against {report.BaselineReviews:N0} baseline reviews.</p>");
        html.Append("<table><tr><th>feature</th><th>baseline mean</th><th>recent mean</th><th>PSI</th><th>KS D</th><th>KS p</th><th>verdict</th></tr>");
        foreach (var f in report.Features)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{f.Name}</td><td>{f.BaselineMean:0.####}</td><td>{f.RecentMean:0.####}</td><td>{f.Psi:0.####}</td><td>{f.KsStatistic:0.####}</td><td>{f.KsPValue:0.####}</td><td class=\"{Css(f.Verdict)}\">{f.Verdict}</td></tr>");
        }

        html.Append("</table>");
        foreach (var f in report.Features)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>{f.Name}</h2>").Append(Bars(f));
        }

        return html.Append("<p>Baseline: blue; recent traffic: orange. Bins are the baseline's deciles.</p></body></html>").ToString();
    }

    private static string Css(string verdict) => verdict switch
    {
        DriftReport.Drift => "drift",
        DriftReport.Warn => "warn",
        _ => "ok",
    };

    private static string Bars(FeatureDrift feature)
    {
        var bins = feature.BaselineShares.Count;
        var max = Math.Max(1e-9, feature.BaselineShares.Concat(feature.RecentShares).Max());
        var slot = (Width - (2 * Pad)) / (double)bins;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height + 20}\" role=\"img\" aria-label=\"{feature.Name} by bin\">");
        for (var i = 0; i < bins; i++)
        {
            var x = Pad + (i * slot);
            Bar(svg, x + 2, (slot / 2) - 3, feature.BaselineShares[i] / max, "#3b6fd8");
            Bar(svg, x + (slot / 2), (slot / 2) - 3, feature.RecentShares[i] / max, "#e07b00");
            var label = i == 0 ? $"< {Edge(feature, 0)}" : i == bins - 1 ? $"≥ {Edge(feature, i - 1)}" : $"{Edge(feature, i - 1)}";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (slot / 2):0.#}\" y=\"{Height + 14}\" font-size=\"10\" text-anchor=\"middle\" fill=\"currentColor\">{WebUtility.HtmlEncode(label)}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Edge(FeatureDrift feature, int index) =>
        feature.BinEdges.Count == 0 ? "" : feature.BinEdges[index].ToString("0.###", CultureInfo.InvariantCulture);

    private static void Bar(StringBuilder svg, double x, double width, double fraction, string color)
    {
        var h = fraction * (Height - Pad);
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{Height - h:0.#}\" width=\"{Math.Max(1, width):0.#}\" height=\"{h:0.#}\" fill=\"{color}\"/>");
    }
}
