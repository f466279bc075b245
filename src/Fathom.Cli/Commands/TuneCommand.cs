using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using Fathom.Config;
using Fathom.Tracking;
using Fathom.Tuning;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary>
/// <c>fathom tune [-cd DIR] [-cn NAME] [--workers N] [OVERRIDES…] [-- COMMAND ARGS…]</c>: a study as Hydra's Optuna sweeper
/// runs it, read from the config's <c>hydra.sweeper</c>, each trial a run of <c>fathom train</c> on the same config (or
/// of COMMAND) with the sampled values appended as <c>key=value</c> overrides, each a tracked run tagged with the launch's
/// <c>hptuning_tag</c>. The study lives in the project's store (or <c>hydra.sweeper.storage</c>), so several workers —
/// <c>--workers N</c> processes here, or launches on other machines sharing a database — run one study, and an
/// interrupted study resumes. <c>fathom tune show STUDY</c> reports a study.
/// </summary>
internal static partial class TuneCommand
{
    public static Command Create()
    {
        var workers = new Option<int>("--workers", "-w") { Description = "Worker processes sharing the study, each running hydra.sweeper.n_jobs trials at once.", DefaultValueFactory = _ => 1 };
        var experiment = new Option<string?>("--experiment", "-e") { Description = "Experiment the trials' runs go to (default: the study's name)." };
        var tag = new Option<string?>("--tag") { Description = "The hptuning_tag of this launch's runs (default: $MLFLOW_HPTUNING_TAG, else the launch's Unix time)." };
        var worker = new Option<bool>("--worker") { Description = "Run as one worker of a launch (set by --workers).", Hidden = true };
        var command = new Command("tune", """
            Tune hyperparameters with the config's Optuna sweeper (hydra.sweeper: sampler tpe|random|grid|cmaes|nsgaii|motpe, direction, study_name, storage, n_trials, n_jobs, search_space or params; Fathom's objectives and pruner).
            Each trial runs `fathom train` on the same config, or the command after --, with the sampled values appended as key=value overrides, as a tracked run tagged hptuning_tag.
            Objective values come from the metrics the trial's run logged (hydra.sweeper.objectives), else $FATHOM_METRICS_FILE (JSON or YAML), else name=value lines on stdout; `step=N name=value` lines feed the pruner.
            """)
        {
            workers, experiment, tag, worker,
        };
        var config = new ConfigCommand.ConfigOptions();
        config.AddTo(command, multirun: false);
        command.Subcommands.Add(CreateShow());
        return command.WithAction(async (parse, cli, ct) =>
        {
            var (overrides, trialCommand) = SplitTrialCommand(parse, config.Overrides);
            var workerCount = parse.GetValue(workers);
            if (workerCount is < 1 or > 256)
            {
                throw new CliInputException($"--workers must be between 1 and 256 (got {workerCount}).");
            }

            var cwd = Directory.GetCurrentDirectory();
            var composed = ConfigLocator.Compose(parse.GetValue(config.Directory), parse.GetValue(config.Name), overrides, cwd, multirun: true)
                ?? throw new CliInputException($"fathom tune reads hydra.sweeper from a config: give --config-dir, or run where {ConfigLocator.DefaultDirectory} is (in this folder or above).");
            var settings = TuneSettings.From(composed, cli.Host.Environment, cli.Time);
            var isWorker = parse.GetValue(worker);
            if (!isWorker)
            {
                foreach (var warning in settings.Warnings)
                {
                    cli.Error.WriteLine("warning: " + warning);
                }
            }

            var launch = new Launch
            {
                Settings = settings,
                Composed = composed,
                Overrides = overrides,
                TrialCommand = trialCommand,
                WorkingDirectory = cwd,
                SweepDirectory = HydraRun.SweepDirectory(composed, cwd, cli.Time),
                Tag = parse.GetValue(tag) ?? NonEmpty(cli.Host.Environment("MLFLOW_HPTUNING_TAG")) ?? cli.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ExperimentName = parse.GetValue(experiment) ?? settings.StudyName,
            };
            var studyLocation = settings.Storage is { } storage ? StoreLocation.Parse(storage, cwd) : cli.Location;
            await using var studies = await cli.Host.Studies.OpenAsync(studyLocation, cli.Time, ct);
            var attrs = new Dictionary<string, string>(StringComparer.Ordinal) { ["n_trials"] = settings.NTrials.ToString(CultureInfo.InvariantCulture) };
            if (settings.Objectives.Count > 0)
            {
                attrs[StudyReport.ObjectivesAttr] = JsonSerializer.Serialize(settings.Objectives);
            }

            var study = await studies.CreateOrLoadStudyAsync(settings.StudyName, settings.Directions, settings.SamplerJson, attrs, ct);
            await using var tracking = cli.OpenTracking();
            var experimentId = await tracking.GetOrCreateExperimentAsync(launch.ExperimentName, ct);
            if (isWorker)
            {
                var result = await RunWorkerAsync(cli, launch, studies, study, tracking, experimentId, monitor: false, ct);
                return result.StoppedOnFailures ? ExitCodes.Failure : ExitCodes.Success;
            }

            cli.Error.WriteLine($"Study '{study.Name}' in {studies.Location}: {settings.NTrials} trials ({settings.SamplerName}, {string.Join(", ", settings.Directions.Select(d => d.ToString().ToLowerInvariant()))}), hptuning_tag={launch.Tag}, trial folders in {launch.SweepDirectory}");
            bool stoppedOnFailures;
            if (workerCount == 1)
            {
                stoppedOnFailures = (await RunWorkerAsync(cli, launch, studies, study, tracking, experimentId, monitor: true, ct)).StoppedOnFailures;
            }
            else
            {
                stoppedOnFailures = !await RunWorkerProcessesAsync(cli, launch, studies, study, workerCount, ct);
            }

            var report = StudyReport.Build(study, await studies.ReadTrialsAsync(study.StudyId, 0, withUserAttrs: true, ct));
            WriteOptimizationResults(launch.SweepDirectory, report);
            RenderSummary(cli, report, studies.Location, launch.Tag, experimentId);
            var counts = report.Counted.GroupBy(t => t.State).ToDictionary(g => g.Key, g => g.Count());
            return stoppedOnFailures || (counts.GetValueOrDefault(TrialState.Complete) == 0 && counts.GetValueOrDefault(TrialState.Failed) > 0)
                ? ExitCodes.Failure
                : ExitCodes.Success;
        });
    }

    /// <summary>What one launch runs: its settings, overrides, trial command, folders, tag and experiment.</summary>
    private sealed class Launch
    {
        public required TuneSettings Settings { get; init; }

        public required ComposedConfig Composed { get; init; }

        public required IReadOnlyList<string> Overrides { get; init; }

        /// <summary>The command after <c>--</c>; empty for <c>fathom train</c> on the same config.</summary>
        public required IReadOnlyList<string> TrialCommand { get; init; }

        public required string WorkingDirectory { get; init; }

        public required string SweepDirectory { get; init; }

        public required string Tag { get; init; }

        public required string ExperimentName { get; init; }
    }

    private static async Task<TuneWorkerResult> RunWorkerAsync(
        CliContext cli, Launch launch, StudyStore studies, StudyInfo study, TrackingClient tracking, string experimentId, bool monitor, CancellationToken cancellationToken)
    {
        var settings = launch.Settings;
        var defaultCommand = launch.TrialCommand.Count == 0;
        IReadOnlyList<string> command = defaultCommand
            ? [.. FathomExecutable(), "train", "--config-dir", launch.Composed.ConfigDirectory, "--config-name", launch.Composed.ConfigName]
            : launch.TrialCommand;
        if (defaultCommand && settings.Objectives.Count == 0)
        {
            throw new CliInputException(
                "fathom train reports metrics, not a return value: set hydra.sweeper.objectives to the metric per direction (e.g. [val_log_loss, val_accuracy]), or give your own trial command after --.");
        }

        var runner = new CommandTrialRunner(command, settings.Objectives, settings.Directions.Count, TrialEnvironment(cli, launch, experimentId), launch.WorkingDirectory, TimeSpan.FromSeconds(10))
        {
            // fathom train writes its outputs (.hydra, the job folder) into the trial's folder.
            ExtraOverrides = defaultCommand ? context => [$"hydra.run.dir={SweepValues.Escape(context.TrialDirectory!)}"] : null,
        };
        using var stored = new StoredStudy(studies, study, Samplers.Create(settings.Sampler), settings.Pruner.Create());
        var trialTracking = new TrialTracking(tracking.Store, experimentId, launch.Tag, study, settings.Objectives, cli.Time);
        var worker = new TuneWorker(
            stored,
            runner,
            TuneWorkerOptions.From(settings),
            trialTracking,
            monitor ? null : new Progress<TrialEvent>(e => Console.Error.WriteLine(EventLine(e))),
            number => Path.Combine(launch.SweepDirectory, number.ToString(CultureInfo.InvariantCulture)),
            runner.Describe);
        if (!monitor)
        {
            return await worker.RunAsync(cancellationToken);
        }

        TuneWorkerResult? result = null;
        await MonitorAsync(cli, studies, study, settings.NTrials, async () => result = await worker.RunAsync(cancellationToken), cancellationToken);
        return result!;
    }

    /// <summary>What every trial process gets: where runs go (for Fathom, and for MLflow when it is a server), the experiment and the launch's tag.</summary>
    private static Dictionary<string, string> TrialEnvironment(CliContext cli, Launch launch, string experimentId)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [StoreLocation.TrackingUriVariable] = cli.Location.Uri,
            ["MLFLOW_EXPERIMENT_ID"] = experimentId,
            ["MLFLOW_HPTUNING_TAG"] = launch.Tag,
        };
        // MLflow's clients read their own store layout from a database URI; only a tracking server speaks to both.
        if (cli.Location.IsRemote)
        {
            environment[StoreLocation.MlflowTrackingUriVariable] = cli.Location.Uri;
        }

        return environment;
    }

    /// <summary>The overrides before <c>--</c> and the trial command after it.</summary>
    private static (string[] Overrides, IReadOnlyList<string> Command) SplitTrialCommand(ParseResult parse, Argument<string[]> overridesArgument)
    {
        var tokens = parse.Tokens;
        var dash = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.DoubleDash)
            {
                dash = i;
                break;
            }
        }

        var command = dash < 0 ? [] : tokens.Skip(dash + 1).Select(t => t.Value).ToList();
        var all = parse.GetValue(overridesArgument) ?? [];
        // Everything after -- is an argument too: it sits at the end of the overrides argument.
        var overrides = all.Length >= command.Count && all.AsSpan(all.Length - command.Count).SequenceEqual(command.ToArray())
            ? all[..^command.Count]
            : all;
        if (dash >= 0 && command.Count == 0)
        {
            throw new CliInputException("nothing after --: give the trial command (e.g. -- python train.py), or leave out -- to run fathom train.");
        }

        return (overrides, command);
    }

    /// <summary>This program as a command line: the executable, or <c>dotnet fathom.dll</c>.</summary>
    internal static string[] FathomExecutable()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var entry = Environment.GetCommandLineArgs()[0];
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) && entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? [process, entry]
            : [process];
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
