using System.Globalization;
using Fathom.Config;
using Fathom.Tuning;
using Spectre.Console;

namespace Fathom.Cli.Commands;

internal static partial class TuneCommand
{
    /// <summary>
    /// Runs <paramref name="work"/> while showing the study's progress on stderr from the store itself (so the same view
    /// serves one worker in this process and many in others): a line per trial as it finishes, and in a terminal a bar of
    /// the trials the study holds against <c>n_trials</c>.
    /// </summary>
    internal static async Task MonitorAsync(CliContext cli, StudyStore studies, StudyInfo study, int nTrials, Func<Task> work, CancellationToken cancellationToken)
    {
        var shown = new HashSet<int>((await studies.ReadTrialsAsync(study.StudyId, 0, withUserAttrs: false, cancellationToken)).Where(t => t.Trial.IsFinished).Select(t => t.Number));
        var objectives = StudyReport.ObjectiveNames(study);
        var from = 0;

        async Task<int> PollAsync(Action<string> line)
        {
            var trials = await studies.ReadTrialsAsync(study.StudyId, from, withUserAttrs: false, CancellationToken.None);
            foreach (var trial in trials.Where(t => t.Trial.IsFinished && shown.Add(t.Number)))
            {
                line(TrialLine(trial, objectives));
            }

            while (shown.Contains(from))
            {
                from++;
            }

            var counts = await studies.CountTrialsAsync(study.StudyId, CancellationToken.None);
            return counts.Finished;
        }

        var running = work();
        if (cli.Error.Profile.Capabilities.Interactive)
        {
            await cli.Error.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var bar = context.AddTask($"study {Markup.Escape(study.Name)}", maxValue: nTrials);
                    async Task UpdateAsync()
                    {
                        var done = await PollAsync(l => cli.Error.MarkupLine(Markup.Escape(l)));
                        bar.Value = Math.Min(nTrials, done);
                        bar.Description = $"study {Markup.Escape(study.Name)}: {done}/{nTrials} trials";
                    }

                    while (!running.IsCompleted)
                    {
                        await Task.WhenAny(running, Task.Delay(500, CancellationToken.None));
                        await UpdateAsync();
                    }

                    await UpdateAsync();
                });
        }
        else
        {
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(500, CancellationToken.None));
                await PollAsync(Console.Error.WriteLine);
            }

            await PollAsync(Console.Error.WriteLine);
        }

        await running;
    }

    /// <summary><c>trial 3 COMPLETE val_log_loss=0.41 val_accuracy=0.81 | train.val_split=0.225 train.optimiser=sdca | 12.3s</c></summary>
    private static string TrialLine(StoredTrial trial, IReadOnlyList<string> objectives)
    {
        var state = TrialTracking.StateName(trial.State);
        var values = trial.Trial.Values is { } v
            ? " " + string.Join(' ', v.Select((x, k) => $"{(k < objectives.Count ? objectives[k] : "value")}={Rendering.Format.Number(x)}"))
            : "";
        var parameters = string.Join(' ', StudyReport.Params(trial).Select(p => $"{p.Key}={SweepDistributions.ParamText(p.Value)}"));
        var duration = trial.StartedAt is { } start ? " | " + Rendering.Format.Duration(start, trial.FinishedAt) : "";
        var error = trial.State == TrialState.Failed && trial.Error is { } e ? " — " + FirstLine(e) : "";
        return $"trial {trial.Number} {state}{values}{(parameters.Length > 0 ? " | " + parameters : "")}{duration}{error}";
    }

    /// <summary>A worker's own log line for a trial event.</summary>
    private static string EventLine(TrialEvent e) => e.Kind switch
    {
        TrialEventKind.Started => $"trial {e.Number} started: {string.Join(' ', e.Params.Select(p => $"{p.Key}={SweepDistributions.ParamText(p.Value)}"))}",
        TrialEventKind.Abandoned => $"trial {e.Number} FAIL: {e.Error}",
        _ => $"trial {e.Number} {TrialTracking.StateName(e.State)}{(e.Values is { } v ? " " + string.Join(' ', v.Select(Rendering.Format.Number)) : "")} in {e.Duration.TotalSeconds:0.0}s{(e.Error is { } error ? ": " + FirstLine(error) : "")}",
    };

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length <= 300 ? line : line[..297] + "...";
    }

    /// <summary>
    /// Hydra's <c>optimization_results.yaml</c> in the sweep folder: <c>name: optuna</c> with <c>best_params</c> and
    /// <c>best_value</c> (one objective) or <c>solutions</c>, the Pareto front's params and values.
    /// </summary>
    private static void WriteOptimizationResults(string sweepDirectory, StudyReport report)
    {
        if (report.Best.Count == 0)
        {
            return;
        }

        var at = SourcePosition.Generated;
        ConfigMap Params(StoredTrial trial) =>
            StudyReport.Params(trial).Aggregate(ConfigMap.Empty(at), (map, p) => map.With(p.Key, SweepDistributions.ToScalar(p.Value)));
        ConfigList Values(StoredTrial trial) => new([.. trial.Trial.Values!.Select(v => (ConfigNode)ConfigScalar.Of(v, at))], at);
        var results = ConfigMap.Empty(at).With("name", ConfigScalar.Of("optuna", at));
        results = report.Study.Directions.Count == 1
            ? results.With("best_params", Params(report.Best[0])).With("best_value", ConfigScalar.Of(report.Best[0].Trial.Values![0], at))
            : results.With("solutions", new ConfigList([.. report.Best.Select(t => (ConfigNode)ConfigMap.Empty(at).With("params", Params(t)).With("values", Values(t)))], at));
        Directory.CreateDirectory(sweepDirectory);
        File.WriteAllText(Path.Combine(sweepDirectory, "optimization_results.yaml"), ConfigYamlWriter.Write(results));
    }

    /// <summary>The launch's result: the best trial or the Pareto front, the study's counts, and where to look next.</summary>
    internal static void RenderSummary(CliContext cli, StudyReport report, string location, string tag, string experimentId)
    {
        var counted = report.Counted.ToList();
        int Count(TrialState state) => counted.Count(t => t.State == state);
        if (cli.Json)
        {
            cli.WriteJson(new
            {
                study = report.Study.Name,
                study_id = report.Study.StudyId,
                storage = location,
                hptuning_tag = tag,
                experiment_id = experimentId,
                directions = report.Study.Directions.Select(d => d.ToString().ToLowerInvariant()),
                objectives = report.Objectives,
                trials = new { complete = Count(TrialState.Complete), pruned = Count(TrialState.Pruned), failed = Count(TrialState.Failed), running = Count(TrialState.Running), waiting = Count(TrialState.Waiting) },
                best_trials = report.Best.Select(t => TrialJson(t, report.Objectives)),
            });
            return;
        }

        if (report.Best.Count > 0)
        {
            cli.Out.Write(TrialsTable(report.Study.Directions.Count == 1 ? "Best trial" : $"Pareto front ({report.Best.Count} trials)", report.Best, report.Objectives, showState: false));
        }

        cli.Out.WriteLine(
            $"{Count(TrialState.Complete)} complete, {Count(TrialState.Pruned)} pruned, {Count(TrialState.Failed)} failed in study '{report.Study.Name}' ({location}). " +
            $"More: fathom tune show {report.Study.Name} --plots DIR; the runs: fathom runs search \"tags.hptuning_tag = '{tag}'\"");
    }

    private static object TrialJson(StoredTrial trial, IReadOnlyList<string> objectives) => new
    {
        number = trial.Number,
        state = TrialTracking.StateName(trial.State),
        values = trial.Trial.Values is { } values ? values.Select((v, k) => KeyValuePair.Create(k < objectives.Count ? objectives[k] : $"values_{k}", v)).ToDictionary() : null,
        @params = StudyReport.Params(trial).ToDictionary(p => p.Key, p => p.Value),
        run_id = trial.RunId,
        error = trial.Error,
        started = trial.StartedAt,
        finished = trial.FinishedAt,
    };

    private static Table TrialsTable(string title, IEnumerable<StoredTrial> trials, IReadOnlyList<string> objectives, bool showState)
    {
        var list = trials.ToList();
        var names = list.SelectMany(t => t.Trial.Params.Keys).Distinct(StringComparer.Ordinal).ToList();
        var table = new Table { Title = new TableTitle(Markup.Escape(title)) }.AddColumn("#");
        if (showState)
        {
            table.AddColumn("State");
        }

        foreach (var name in objectives.Concat(names))
        {
            table.AddColumn(new TableColumn(Markup.Escape(name)).NoWrap());
        }

        table.AddColumn("Duration").AddColumn(new TableColumn("Run").NoWrap());
        foreach (var trial in list)
        {
            var cells = new List<string> { trial.Number.ToString(CultureInfo.InvariantCulture) };
            if (showState)
            {
                cells.Add(TrialTracking.StateName(trial.State));
            }

            cells.AddRange(objectives.Select((_, k) => trial.Trial.Values is { } v && k < v.Count ? Rendering.Format.Number(v[k]) : "-"));
            var parameters = StudyReport.Params(trial).ToDictionary(p => p.Key, p => p.Value);
            cells.AddRange(names.Select(n => parameters.TryGetValue(n, out var value) ? SweepDistributions.ParamText(value) : "-"));
            cells.Add(trial.StartedAt is { } start ? Rendering.Format.Duration(start, trial.FinishedAt) : "-");
            cells.Add(trial.RunId ?? "-");
            table.AddRow([.. cells.Select(Markup.Escape)]);
        }

        return table;
    }
}
