using System.CommandLine;
using System.Globalization;
using Fathom.Config;
using Fathom.Data;
using Fathom.Monitoring;
using Fathom.Serving;
using Spectre.Console;

namespace Fathom.Cli.Commands.Monitoring;

/// <summary>
/// <c>fathom monitor report LOG</c>: recent traffic of a served model (its <c>--prediction-log</c> folder) against the
/// training baseline saved with the model; exit code 1 when a feature drifted, so a cron job or CI can alert.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var log = new Argument<string>("log") { Description = "The prediction log folder of a served model (fathom serve --prediction-log)." };
        var since = new Option<string?>("--since") { Description = "Only predictions from this time on: a duration back from now (30m, 6h, 7d) or a UTC time (2026-12-07T10:00:00Z)." };
        var baseline = new Option<string?>("--baseline") { Description = $"The baseline file (default: the copy the server put in the log folder, else a model folder's {MonitoringBaseline.FileName})." };
        var html = new Option<string?>("--html") { Description = "Also write the report as an HTML page with a chart per feature." };
        var thresholds = new Option<string?>("--thresholds") { Description = "A YAML file of thresholds: psi_warn, psi_drift, ks_p_value, ks_statistic, min_samples." };
        var report = new Command("report", "Compare a served model's recent predictions with its training baseline (PSI and Kolmogorov–Smirnov per feature); exit 1 on drift.")
        {
            log, since, baseline, html, thresholds,
        };
        report.WithAction(async (parse, cli, ct) =>
        {
            var folder = Path.GetFullPath(parse.GetValue(log)!);
            var from = ParseSince(parse.GetValue(since), cli.Time.GetUtcNow());
            var limits = parse.GetValue(thresholds) is { } file ? ReadThresholds(file) : new DriftThresholds();
            var baselineFile = parse.GetValue(baseline) is { } b
                ? (Directory.Exists(b) ? Path.Combine(b, MonitoringBaseline.FileName) : b)
                : Path.Combine(folder, PredictionLogs.BaselineCopyName);
            if (!File.Exists(baselineFile))
            {
                throw new CliInputException($"No baseline at '{baselineFile}': models trained by this Fathom keep {MonitoringBaseline.FileName} in their folder; pass --baseline <model folder> for one served before it.");
            }

            var expected = await MonitoringBaseline.ReadAsync(baselineFile, ct);
            var (recent, bad) = await PredictionLogReader.ReadAsync(folder, from, ct);
            var result = DriftReport.Compare(expected.ToSample(), recent, limits, from);
            if (parse.GetValue(html) is { } page)
            {
                AtomicFile.WriteAllText(Path.GetFullPath(page), DriftReportHtml.Render(result, $"Drift report: {Path.GetFileName(folder)}"));
            }

            if (cli.Json)
            {
                cli.WriteJson(result);
            }
            else
            {
                Render(cli, result, bad);
            }

            return result.Drifted ? ExitCodes.Failure : ExitCodes.Success;
        });
        return new Command("monitor", "Watch served models: drift of their traffic against the training baseline.") { report };
    }

    private static void Render(CliContext cli, DriftReport report, int badLines)
    {
        var table = new Table().AddColumns("Feature", "Baseline", "Recent", "PSI", "KS D", "KS p", "Verdict");
        foreach (var f in report.Features)
        {
            table.AddRow(f.Name, Number(f.BaselineMean), Number(f.RecentMean), Number(f.Psi), Number(f.KsStatistic), Number(f.KsPValue), Verdict(f.Verdict));
        }

        cli.Out.Write(table);
        cli.Out.MarkupLine($"{report.RecentReviews:N0} recent predictions against {report.BaselineReviews:N0} baseline reviews: {Verdict(report.Verdict)}");
        if (report.Verdict == DriftReport.TooFew)
        {
            cli.Out.MarkupLine("Too few predictions for a verdict; widen --since or lower min_samples in --thresholds.");
        }

        if (badLines > 0)
        {
            cli.Out.MarkupLine($"[yellow]{badLines} unreadable log line(s) skipped.[/]");
        }
    }

    private static string Number(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    private static string Verdict(string verdict) => verdict switch
    {
        DriftReport.Drift => "[red bold]drift[/]",
        DriftReport.Warn => "[yellow]warn[/]",
        DriftReport.Ok => "[green]ok[/]",
        _ => Markup.Escape(verdict),
    };

    /// <summary>A duration back from now (<c>30m</c>, <c>6h</c>, <c>7d</c>, <c>90s</c>) or an ISO 8601 time.</summary>
    internal static DateTimeOffset? ParseSince(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var unit = text[^1];
        if (unit is 's' or 'm' or 'h' or 'd' && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            return now - (unit switch { 's' => TimeSpan.FromSeconds(amount), 'm' => TimeSpan.FromMinutes(amount), 'h' => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) });
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new CliInputException($"--since '{text}' is neither a duration (30m, 6h, 7d) nor a time (2026-12-07T10:00:00Z).");
    }

    private static DriftThresholds ReadThresholds(string file)
    {
        if (!File.Exists(file))
        {
            throw new CliInputException($"--thresholds: no file '{file}'.");
        }

        try
        {
            var document = ConfigYaml.Load(File.ReadAllText(file), file);
            var thresholds = ConfigBinder.Bind<DriftThresholds>(document.Root, "");
            return thresholds.PsiWarn <= thresholds.PsiDrift && thresholds.MinSamples >= 1 && thresholds.KsPValue is > 0 and < 1
                ? thresholds
                : throw new CliInputException($"{file}: psi_warn must not exceed psi_drift, min_samples must be at least 1 and ks_p_value between 0 and 1.");
        }
        catch (ConfigException e)
        {
            throw new CliInputException(e.Message);
        }
    }
}
