using System.Globalization;
using System.Text.Json;
using Fathom.Jobs;
using Fathom.Tracking;
using Fathom.Tuning;
using Spectre.Console;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>
/// An operation with a <c>matrix</c>: a tuning study whose trials are runs of the same file, each started as
/// <c>fathom run -f FILE --matrix-trial -P NAME=value …</c> with the trial's values (so each is an ordinary job run,
/// recorded and logged as one) and each a tracked run tagged with the launch's <c>hptuning_tag</c>, where the job logs
/// its metric (it gets <c>MLFLOW_RUN_ID</c>); a <c>name=value</c> line it prints counts too.
/// </summary>
internal static partial class RunCommand
{
    private sealed record MatrixLaunch(
        string File, string Project, string Executor, string? Agent, IReadOnlyList<string> Params, string WorkingDirectory);

    // `check` compiles the file with the given params as a trial would, throwing its error: a matrix param that names no
    // input, or a required input neither -P nor the matrix gives, is refused before any trial runs.
    private static async Task<int> RunMatrixAsync(
        CliContext cli, MatrixSpec matrix, MatrixLaunch launch, string jobName, bool dryRun, Action<IReadOnlyDictionary<string, string>> check, CancellationToken cancellationToken)
    {
        var plan = MatrixStudyPlan.From(matrix);
        var sample = new Dictionary<string, string>(CliParams.Parse(launch.Params), StringComparer.Ordinal);
        foreach (var (name, value) in plan.FixedParams)
        {
            sample[name] = ParamValue(((Config.ConfigScalar)value).Value);
        }

        foreach (var (name, distribution) in plan.SearchSpace)
        {
            sample[name] = ParamValue(distribution switch
            {
                CategoricalDistribution c => c.Choices[0],
                FloatDistribution f => f.Low,
                IntDistribution i => i.Low,
                _ => null,
            });
        }

        check(sample);
        foreach (var note in plan.Notes)
        {
            cli.Error.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
        }

        var space = string.Join(", ", plan.SearchSpace.Select(p => $"{p.Key} {p.Value}"));
        if (dryRun)
        {
            cli.Out.WriteLine($"matrix {matrix.Kind}: {plan.NTrials} runs, {plan.NJobs} at once, {plan.SamplerName} sampler; {space}");
            return ExitCodes.Success;
        }

        var uuid = JobRunner.NewUuid();
        var studyName = $"{jobName}-matrix-{uuid[..8]}";
        var tag = cli.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await using var studies = await cli.Host.Studies.OpenAsync(cli.Location, cli.Time, cancellationToken);
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal) { ["n_trials"] = plan.NTrials.ToString(CultureInfo.InvariantCulture), ["matrix_file"] = launch.File };
        if (plan.Objectives.Count > 0)
        {
            attrs[StudyReport.ObjectivesAttr] = JsonSerializer.Serialize(plan.Objectives);
        }

        var study = await studies.CreateOrLoadStudyAsync(studyName, plan.Directions, plan.SamplerJson, attrs, cancellationToken);
        await using var tracking = cli.OpenTracking();
        var experimentId = await tracking.GetOrCreateExperimentAsync(launch.Project, cancellationToken);
        cli.Error.WriteLine($"Matrix {matrix.Kind} of {launch.File}: study '{studyName}', {plan.NTrials} runs ({plan.NJobs} at once) in project {launch.Project}, hptuning_tag={tag}");

        List<string> command = [.. TuneCommand.FathomExecutable(), "run", "-f", launch.File, "-p", launch.Project, "--executor", launch.Executor, "--matrix-trial"];
        if (launch.Agent is { } agent)
        {
            command.AddRange(["--agent", agent]);
        }

        if (cli.Location.IsRemote)
        {
            // With a server each trial is submitted to its queue: the trial waits for its run and reads its log.
            command.Add("--watch");
        }

        foreach (var param in launch.Params)
        {
            command.AddRange(["-P", param]);
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [StoreLocation.TrackingUriVariable] = cli.Location.Uri,
            ["MLFLOW_EXPERIMENT_ID"] = experimentId,
            ["MLFLOW_HPTUNING_TAG"] = tag,
        };
        if (cli.Location.IsRemote)
        {
            environment[StoreLocation.MlflowTrackingUriVariable] = cli.Location.Uri;
        }

        var runner = new CommandTrialRunner(command, plan.Objectives, 1, environment, launch.WorkingDirectory, TimeSpan.FromSeconds(10))
        {
            TrialArguments = context => [.. plan.FixedParams.Select(p => KeyValuePair.Create(p.Key, (object?)((Config.ConfigScalar)p.Value).Value))
                .Concat(context.Params)
                .SelectMany(p => new[] { "-P", $"{p.Key}={ParamValue(p.Value)}" })],
            ValueWithoutObjective = plan.Objectives.Count == 0 ? 0 : null,
        };
        var sweepDirectory = Path.Combine(Path.GetTempPath(), "fathom-matrix", studyName);
        using var stored = new StoredStudy(studies, study, Samplers.Create(plan.Sampler), plan.Pruner.Create());
        var worker = new TuneWorker(
            stored,
            runner,
            new TuneWorkerOptions(plan.SearchSpace, plan.FixedParams, [], plan.NJobs, plan.NTrials, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)),
            new TrialTracking(tracking.Store, experimentId, tag, study, plan.Objectives, cli.Time),
            trialDirectory: number => Path.Combine(sweepDirectory, number.ToString(CultureInfo.InvariantCulture)),
            describeCommand: runner.Describe);
        await TuneCommand.MonitorAsync(cli, studies, study, plan.NTrials, () => worker.RunAsync(cancellationToken), cancellationToken);
        var report = StudyReport.Build(study, await studies.ReadTrialsAsync(study.StudyId, 0, withUserAttrs: true, cancellationToken));
        TuneCommand.RenderSummary(cli, report, studies.Location, tag, experimentId);
        var complete = report.Counted.Count(t => t.State == TrialState.Complete);
        return complete == 0 || report.Counted.Any(t => t.State == TrialState.Failed) ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>A value as <c>-P</c> reads it for the input's type: numbers invariant and round-tripping, booleans lower case.</summary>
    private static string ParamValue(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
