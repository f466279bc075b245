using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Tracking;
using Fathom.Tuning;
using Spectre.Console;

namespace Fathom.Cli.Commands;

internal static partial class TuneCommand
{
    /// <summary>
    /// <c>fathom tune show [STUDY] [--storage URL] [--plots DIR]</c>: a study's best trial (or Pareto front), every trial,
    /// the params' importance per objective, and with <c>--plots</c> SVG plots (optimisation history, parallel
    /// coordinates, slice, Pareto front, importance); without STUDY, the studies in the store.
    /// </summary>
    private static Command CreateShow()
    {
        var name = new Argument<string?>("study") { Description = "The study's name (default: list the studies).", Arity = ArgumentArity.ZeroOrOne };
        var storage = new Option<string?>("--storage") { Description = "The study database (hydra.sweeper.storage) when it is not the project's store." };
        var plots = new Option<string?>("--plots") { Description = "Write SVG plots to this folder: history, parallel-coordinates, slice, pareto-front, importance." };
        var command = new Command("show", "Show a study: best trial or Pareto front, trials, parameter importance, and SVG plots with --plots.") { name, storage, plots };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var location = parse.GetValue(storage) is { } url ? StoreLocation.Parse(url, Directory.GetCurrentDirectory()) : cli.Location;
            await using var studies = await cli.Host.Studies.OpenAsync(location, cli.Time, ct);
            if (parse.GetValue(name) is not { } studyName)
            {
                return await ListStudiesAsync(cli, studies, ct);
            }

            var study = await studies.GetStudyAsync(studyName, ct)
                ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"No study '{studyName}' in {studies.Location}; `fathom tune show` lists the studies there.");
            var report = StudyReport.Build(study, await studies.ReadTrialsAsync(study.StudyId, 0, withUserAttrs: true, ct));
            IReadOnlyList<string> written = parse.GetValue(plots) is { } folder ? StudyPlots.Write(report, Path.GetFullPath(folder)) : [];
            if (cli.Json)
            {
                cli.WriteJson(new
                {
                    study = study.Name,
                    study_id = study.StudyId,
                    storage = studies.Location,
                    directions = study.Directions.Select(d => d.ToString().ToLowerInvariant()),
                    objectives = report.Objectives,
                    sampler = System.Text.Json.JsonDocument.Parse(study.Sampler).RootElement,
                    best_trials = report.Best.Select(t => TrialJson(t, report.Objectives)),
                    trials = report.Trials.Select(t => TrialJson(t, report.Objectives)),
                    importance = report.Objectives.Select((o, k) => KeyValuePair.Create(o, report.Importance[k].ToDictionary())).ToDictionary(),
                    plots = written,
                });
                return ExitCodes.Success;
            }

            var counted = report.Counted.ToList();
            cli.Out.MarkupLine($"[bold]{Markup.Escape(study.Name)}[/] (study {study.StudyId}, {Markup.Escape(studies.Location)}): " +
                Markup.Escape(string.Join(", ", study.Directions.Select((d, k) => $"{d.ToString().ToLowerInvariant()} {report.Objectives[k]}"))) +
                $"; sampler {Markup.Escape(study.Sampler)}");
            cli.Out.WriteLine(string.Join(", ", new[] { TrialState.Complete, TrialState.Pruned, TrialState.Failed, TrialState.Running, TrialState.Waiting }
                .Select(s => $"{counted.Count(t => t.State == s)} {(s == TrialState.Failed ? "failed" : TrialTracking.StateName(s).ToLowerInvariant())}")) + " trials");
            if (report.Best.Count > 0)
            {
                cli.Out.Write(TrialsTable(study.Directions.Count == 1 ? "Best trial" : $"Pareto front ({report.Best.Count} trials)", report.Best, report.Objectives, showState: false));
            }

            cli.Out.Write(TrialsTable("Trials", report.Trials, report.Objectives, showState: true));
            for (var k = 0; k < report.Objectives.Count; k++)
            {
                if (report.Importance[k].Count == 0)
                {
                    continue;
                }

                var chart = new BarChart().Label($"Parameter importance for {Markup.Escape(report.Objectives[k])} (PED-ANOVA)").Width(Math.Min(80, cli.Out.Profile.Width));
                foreach (var (param, value) in report.Importance[k])
                {
                    chart.AddItem(Markup.Escape(param), Math.Round(value, 3), Color.Blue);
                }

                cli.Out.Write(chart);
            }

            if (written.Count > 0)
            {
                cli.Out.WriteLine($"Plots: {string.Join(", ", written)}");
            }

            return ExitCodes.Success;
        });
    }

    private static async Task<int> ListStudiesAsync(CliContext cli, StudyStore studies, CancellationToken cancellationToken)
    {
        var list = await studies.ListStudiesAsync(cancellationToken);
        var rows = new List<(StudyInfo Study, TrialCounts Counts)>();
        foreach (var study in list)
        {
            rows.Add((study, await studies.CountTrialsAsync(study.StudyId, cancellationToken)));
        }

        if (cli.Json)
        {
            cli.WriteJson(rows.Select(r => new
            {
                study = r.Study.Name,
                study_id = r.Study.StudyId,
                directions = r.Study.Directions.Select(d => d.ToString().ToLowerInvariant()),
                complete = r.Counts.Complete,
                pruned = r.Counts.Pruned,
                failed = r.Counts.Failed,
                running = r.Counts.Running,
                waiting = r.Counts.Waiting,
                created = r.Study.CreatedAt,
            }));
            return ExitCodes.Success;
        }

        var table = new Table { Title = new TableTitle($"Studies in {Markup.Escape(studies.Location)}") }
            .AddColumns("Study", "Directions", "Complete", "Pruned", "Failed", "Running", "Created (UTC)");
        foreach (var (study, counts) in rows)
        {
            table.AddRow(Markup.Escape(study.Name), string.Join(", ", study.Directions.Select(d => d.ToString().ToLowerInvariant())),
                counts.Complete.ToString(System.Globalization.CultureInfo.InvariantCulture), counts.Pruned.ToString(System.Globalization.CultureInfo.InvariantCulture),
                counts.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture), counts.Running.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Time(study.CreatedAt));
        }

        cli.Out.Write(table);
        return ExitCodes.Success;
    }
}
