using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Storage;
using Fathom.Tracking;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom runs list|show|metric|delete|restore</c>.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var command = new Command("runs", "List and inspect runs.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Search());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(MetricChart());
        command.Subcommands.Add(SetStage("delete", "Delete a run (restorable).", (s, id, ct) => s.DeleteRunAsync(id, ct)));
        command.Subcommands.Add(SetStage("restore", "Restore a deleted run.", (s, id, ct) => s.RestoreRunAsync(id, ct)));
        return command;
    }

    private static Command List()
    {
        var experiment = new Option<string?>("--experiment", "-e") { Description = "Experiment name or id (default: all active experiments)." };
        var max = new Option<int>("--max") { Description = "At most this many runs, newest first.", DefaultValueFactory = _ => 50 };
        var all = new Option<bool>("--all") { Description = "Include deleted runs." };
        var metrics = MetricsOption();
        var command = new Command("list", "List runs, newest first, with their main metrics.") { experiment, max, all, metrics };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var maxResults = parse.GetValue(max);
            if (maxResults is < 1 or > 50_000)
            {
                throw new CliInputException($"--max must be between 1 and 50000 (got {maxResults}).");
            }

            await using var tracking = cli.OpenTracking();
            var name = parse.GetValue(experiment);
            var experiments = name is null
                ? await tracking.Store.ListExperimentsAsync(ViewType.ActiveOnly, ct)
                : [await Lookup.ExperimentAsync(tracking.Store, name, ct)];
            var page = await tracking.Store.SearchRunsAsync(
                new RunSearch(experiments.Select(e => e.ExperimentId).ToList(), parse.GetValue(all) ? ViewType.All : ViewType.ActiveOnly, maxResults), ct);
            return Render(cli, experiments, page, maxResults, Requested(parse.GetValue(metrics)));
        });
    }

    // --metrics a,b or repeated; $FATHOM_RUNS_METRICS as the default a user keeps.
    private static Option<string[]> MetricsOption() => new("--metrics", "-m")
    {
        Description = $"Metric columns, e.g. test_accuracy,val_log_loss (default: $FATHOM_RUNS_METRICS, else up to {MetricColumns.Default} quality metrics: accuracy, F1, AUC, loss…).",
        AllowMultipleArgumentsPerToken = true,
    };

    private static string[]? Requested(string[]? given)
    {
        var text = given is { Length: > 0 } ? string.Join(',', given) : Environment.GetEnvironmentVariable("FATHOM_RUNS_METRICS");
        return text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } keys ? keys : null;
    }

    private static int Render(CliContext cli, IReadOnlyList<Experiment> experiments, RunsPage page, int maxResults, IReadOnlyList<string>? requested, IReadOnlyList<string>? first = null)
    {
        if (cli.Json)
        {
            cli.WriteJson(new { runs = page.Runs.Select(TrackingJson.Run) });
            return ExitCodes.Success;
        }

        var names = experiments.ToDictionary(e => e.ExperimentId, e => e.Name);
        var metricKeys = MetricColumns.Choose(page.Runs.SelectMany(r => r.Metrics.Select(m => m.Key)), requested, first: first);
        var rows = page.Runs.Select(run => new
        {
            Fixed = new[]
            {
                run.Info.RunId,
                run.Info.RunName,
                names.GetValueOrDefault(run.Info.ExperimentId, run.Info.ExperimentId),
                run.Info.Status.ToString().ToUpperInvariant(),
                Format.Time(run.Info.StartTime),
                Format.Duration(run.Info.StartTime, run.Info.EndTime),
            },
            run.Info.Status,
            Metrics = metricKeys.Select(k => run.Metrics.FirstOrDefault(m => m.Key == k) is { } m ? Format.Number(m.Value) : "").ToArray(),
        }).ToList();

        // Identity columns (the id is copied whole into other commands, the name is grepped) are never wrapped;
        // metric columns chosen automatically are dropped from the right until the row fits the width, so no
        // cell wraps mid-word. Metrics the user named are always shown.
        string[] headers = ["Run ID", "Name", "Experiment", "Status", "Started (UTC)", "Duration"];

        // Runs of one experiment do not need the column that names it: the room goes to metrics.
        if (rows.Select(r => r.Fixed[2]).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            headers = [.. headers.Where((_, i) => i != 2)];
            rows = [.. rows.Select(r => r with { Fixed = [.. r.Fixed.Where((_, i) => i != 2)] })];
        }

        var used = 1 + headers.Select((h, i) => ColumnWidth(h, rows.Select(r => r.Fixed[i]))).Sum();
        var shown = 0;
        for (; shown < metricKeys.Count; shown++)
        {
            var width = ColumnWidth(metricKeys[shown], rows.Select(r => r.Metrics[shown]));
            if (requested is null && used + width > cli.Out.Profile.Width)
            {
                break;
            }

            used += width;
        }

        var table = new Table();
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }

        foreach (var key in metricKeys.Take(shown))
        {
            table.AddColumn(new TableColumn(Markup.Escape(key)).RightAligned().NoWrap());
        }

        foreach (var row in rows)
        {
            var cells = row.Fixed.Select(Markup.Escape).Concat(row.Metrics.Take(shown)).ToArray();
            cells[Array.IndexOf(headers, "Status")] = StatusMarkup(row.Status);
            table.AddRow(cells);
        }

        cli.Out.Write(table);
        if (page.NextPageToken is not null)
        {
            cli.Human.MarkupLine($"[grey]More runs exist; raise --max (now {maxResults}) to see them.[/]");
        }

        return ExitCodes.Success;
    }

    // Content plus one space of padding each side and the border to its right.
    private static int ColumnWidth(string header, IEnumerable<string> cells) => cells.Append(header).Max(c => c.Length) + 3;

    private static Command Search()
    {
        var filter = new Argument<string>("filter") { Description = "MLflow's filter grammar, e.g. \"metrics.test_accuracy > 0.8 AND params.trainer = 'lbfgs'\" (empty string: all runs)." };
        var experiment = new Option<string[]>("--experiment", "-e") { Description = "Experiment names or ids (repeatable; default: all active experiments).", AllowMultipleArgumentsPerToken = true };
        var orderBy = new Option<string[]>("--order-by", "-o") { Description = "Order keys such as \"metrics.test_accuracy DESC\" (repeatable).", AllowMultipleArgumentsPerToken = true };
        var max = new Option<int>("--max") { Description = "At most this many runs.", DefaultValueFactory = _ => 50 };
        var all = new Option<bool>("--all") { Description = "Include deleted runs." };
        var metrics = MetricsOption();
        var command = new Command("search", "Find runs with MLflow's search grammar (metrics., params., tags., attributes.) and order them.") { filter, experiment, orderBy, max, all, metrics };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var names = parse.GetValue(experiment) ?? [];
            var experiments = names.Length == 0
                ? await tracking.Store.ListExperimentsAsync(ViewType.ActiveOnly, ct)
                : [.. await Task.WhenAll(names.Select(n => Lookup.ExperimentAsync(tracking.Store, n, ct)))];
            var page = await tracking.Store.SearchRunsAsync(new RunSearch(
                experiments.Select(e => e.ExperimentId).ToList(),
                parse.GetValue(all) ? ViewType.All : ViewType.ActiveOnly,
                parse.GetValue(max),
                Filter: parse.GetValue(filter),
                OrderBy: parse.GetValue(orderBy)), ct);
            // The metrics a search orders or filters by come first: they are what the user is looking at.
            var named = MetricColumns.Named([parse.GetValue(filter) ?? "", .. parse.GetValue(orderBy) ?? []]);
            return Render(cli, experiments, page, parse.GetValue(max), Requested(parse.GetValue(metrics)), named);
        });
    }

    private static Command Show()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id." };
        var command = new Command("show", "Show a run: params, metrics, tags, lineage, inputs and artifacts.") { runId };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var run = await Lookup.RunAsync(tracking.Store, parse.GetValue(runId)!, ct);
            IReadOnlyList<ArtifactEntry> artifacts;
            try
            {
                artifacts = await tracking.Artifacts.Resolve(run.Info.ArtifactUri).ListRecursiveAsync(null, ct);
            }
            catch (NotSupportedException)
            {
                artifacts = [];
            }

            if (cli.Json)
            {
                cli.WriteJson(new { run = TrackingJson.Run(run), artifacts = artifacts.Select(a => new { path = a.Path, file_size = a.FileSize }) });
                return ExitCodes.Success;
            }

            RunView.Write(cli.Out, run, artifacts);
            return ExitCodes.Success;
        });
    }

    private static Command MetricChart()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id." };
        var key = new Argument<string>("metric") { Description = "The metric's key." };
        var width = new Option<int>("--width") { Description = "Chart width in characters.", DefaultValueFactory = _ => 60 };
        var command = new Command("metric", "Draw a metric's history as a chart (or print it with --json).") { runId, key, width };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            var run = await Lookup.RunAsync(tracking.Store, parse.GetValue(runId)!, ct);
            var history = await tracking.Store.GetMetricHistoryAsync(run.Info.RunId, parse.GetValue(key)!, ct);
            if (cli.Json)
            {
                cli.WriteJson(new { metrics = history.Select(m => new { key = m.Key, value = m.Value, timestamp = m.Timestamp, step = m.Step }) });
                return ExitCodes.Success;
            }

            if (history.Count == 0)
            {
                throw new TrackingException(ErrorCode.ResourceDoesNotExist,
                    $"Run {run.Info.RunId} has no metric '{parse.GetValue(key)}'. It has: {string.Join(", ", run.Metrics.Select(m => m.Key))}.");
            }

            RunView.WriteChart(cli.Out, history, Math.Clamp(parse.GetValue(width), 10, 400));
            return ExitCodes.Success;
        });
    }

    private static Command SetStage(string verb, string description, Func<ITrackingStore, string, CancellationToken, Task> change)
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id." };
        var command = new Command(verb, description) { runId };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var tracking = cli.OpenTracking();
            await change(tracking.Store, parse.GetValue(runId)!, ct);
            cli.Human.WriteLine($"Run {parse.GetValue(runId)}: {verb}d.");
            return ExitCodes.Success;
        });
    }

    internal static string StatusMarkup(RunStatus status) => status switch
    {
        RunStatus.Finished => "[green]FINISHED[/]",
        RunStatus.Failed => "[red]FAILED[/]",
        RunStatus.Killed => "[yellow]KILLED[/]",
        _ => "[blue]" + status.ToWire() + "[/]",
    };
}
