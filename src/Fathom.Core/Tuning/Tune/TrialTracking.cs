using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Tuning;

/// <summary>
/// Each trial as a tracked run: made before the trial starts (so the trial process logs into it through
/// <c>MLFLOW_RUN_ID</c>), tagged with the launch's <c>hptuning_tag</c> (one value for all trials of a launch, as the
/// reference template tags its Optuna trials), the study and the trial number, with the sampled values as params; ended
/// when the trial is told, with the objective values as metrics when the run did not log them itself, and the trial's
/// state as the run's status (complete → FINISHED, pruned → KILLED, failed → FAILED).
/// </summary>
internal sealed class TrialTracking
{
    /// <summary>The tag all runs of one launch share (the template's <c>MLFLOW_HPTUNING_TAG</c>).</summary>
    public const string HptuningTag = "hptuning_tag";

    public const string StudyTag = "fathom.study";
    public const string StudyIdTag = "fathom.study_id";
    public const string TrialTag = "fathom.trial";
    public const string TrialStateTag = "fathom.trial_state";

    private readonly ITrackingStore _store;
    private readonly TimeProvider _time;

    public TrialTracking(ITrackingStore store, string experimentId, string launchTag, StudyInfo study, IReadOnlyList<string> objectives, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(objectives);
        _store = store;
        ExperimentId = experimentId;
        LaunchTag = launchTag;
        Study = study;
        Objectives = objectives;
        _time = time;
    }

    public string ExperimentId { get; }

    public string LaunchTag { get; }

    public StudyInfo Study { get; }

    public IReadOnlyList<string> Objectives { get; }

    /// <summary>Starts the run of a trial with its params (as a flattened config logs them) and returns its id.</summary>
    public async Task<string> StartRunAsync(int number, IReadOnlyList<KeyValuePair<string, string>> parameters, string? command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var tags = new List<Tag>
        {
            new(HptuningTag, LaunchTag),
            new(StudyTag, Study.Name),
            new(StudyIdTag, Study.StudyId.ToString(CultureInfo.InvariantCulture)),
            new(TrialTag, number.ToString(CultureInfo.InvariantCulture)),
            new(SystemTags.User, Environment.UserName),
        };
        if (command is not null)
        {
            tags.Add(new Tag(SystemTags.Command, command.Length <= 5000 ? command : command[..5000]));
        }

        var info = await _store.CreateRunAsync(
            new CreateRunRequest(ExperimentId, $"{Study.Name}-trial-{number}", Environment.UserName, _time.GetUtcNow().ToUnixTimeMilliseconds(), tags), cancellationToken);
        if (parameters.Count > 0)
        {
            await _store.LogBatchAsync(info.RunId, [], [.. parameters.Select(p => new Param(p.Key, p.Value))], [], cancellationToken);
        }

        return info.RunId;
    }

    /// <summary>The latest value of each metric the run logged.</summary>
    public async Task<IReadOnlyDictionary<string, double>?> ReadMetricsAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await _store.GetRunAsync(runId, cancellationToken);
        return run?.Metrics.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
    }

    /// <summary>Ends a trial's run: objective metrics it lacks, the state tag, the error of a failed trial, the status.</summary>
    public async Task EndRunAsync(string runId, TrialState state, IReadOnlyList<double>? values, string? error, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var metrics = new List<Metric>();
        if (state == TrialState.Complete && values is not null)
        {
            var logged = await ReadMetricsAsync(runId, cancellationToken) ?? new Dictionary<string, double>();
            for (var k = 0; k < values.Count; k++)
            {
                var name = k < Objectives.Count ? Objectives[k] : values.Count == 1 ? "value" : $"values_{k}";
                if (!logged.ContainsKey(name))
                {
                    metrics.Add(new Metric(name, values[k], now, 0));
                }
            }
        }

        var tags = new List<Tag> { new(TrialStateTag, StateName(state)) };
        if (error is not null)
        {
            tags.Add(new Tag(SystemTags.Error, error.Length <= 5000 ? error : error[..5000]));
        }

        await _store.LogBatchAsync(runId, metrics, [], tags, cancellationToken);
        var status = state switch
        {
            TrialState.Complete => RunStatus.Finished,
            TrialState.Pruned => RunStatus.Killed,
            _ => RunStatus.Failed,
        };
        await _store.UpdateRunAsync(runId, status, now, null, cancellationToken);
    }

    /// <summary>Optuna's name of a trial state.</summary>
    public static string StateName(TrialState state) => state switch
    {
        TrialState.Running => "RUNNING",
        TrialState.Complete => "COMPLETE",
        TrialState.Pruned => "PRUNED",
        TrialState.Failed => "FAIL",
        _ => "WAITING",
    };
}
