using Fathom.Config;

namespace Fathom.Tuning;

/// <summary>How a worker runs its share of a study.</summary>
/// <param name="SearchSpace">The params sampled for each trial, in order.</param>
/// <param name="FixedParams">Params every trial gets with one value.</param>
/// <param name="TaskOverrides">Overrides every trial gets first (the launch's own).</param>
/// <param name="NJobs">Trials run at once; a new one starts as soon as one ends.</param>
/// <param name="MaxTrials">Trials the study should hold; workers stop asking when it does.</param>
/// <param name="Heartbeat">How often a running trial's heartbeat is written.</param>
/// <param name="StaleAfter">A running trial without a heartbeat for this long belongs to a dead worker.</param>
/// <param name="MaxRetries">How often a dead worker's trial is queued again.</param>
/// <param name="MaxFailureRate">Share of this worker's finished trials that may fail before it stops launching (0: never).</param>
internal sealed record TuneWorkerOptions(
    IReadOnlyList<KeyValuePair<string, ParamDistribution>> SearchSpace,
    IReadOnlyList<KeyValuePair<string, ConfigNode>> FixedParams,
    IReadOnlyList<string> TaskOverrides,
    int NJobs,
    int MaxTrials,
    TimeSpan Heartbeat,
    TimeSpan StaleAfter,
    int MaxRetries = 3,
    double MaxFailureRate = 0)
{
    /// <summary>The options a launch's settings give, with heartbeats every 10 s and a trial stale after 60 s without one.</summary>
    public static TuneWorkerOptions From(TuneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.SearchSpace, settings.FixedParams, settings.TaskOverrides, settings.NJobs, settings.NTrials,
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), MaxFailureRate: settings.MaxFailureRate);
    }
}

/// <summary>What happened to a trial, for progress displays.</summary>
internal sealed record TrialEvent(
    TrialEventKind Kind, int Number, TrialState State, IReadOnlyList<double>? Values, IReadOnlyList<KeyValuePair<string, object?>> Params, string? Error, string? RunId, TimeSpan Duration);

internal enum TrialEventKind
{
    Started,
    Finished,

    /// <summary>A dead worker's running trial was failed (and queued again unless retried too often).</summary>
    Abandoned,
}

/// <summary>What a worker did: trials it finished by state, and whether it stopped on the failure rate.</summary>
internal sealed record TuneWorkerResult(int Complete, int Pruned, int Failed, bool StoppedOnFailures, bool SamplerStopped);

/// <summary>
/// One worker of a study (<c>fathom tune</c>, or each of <c>--workers N</c>): claims trials from the store, samples their
/// params, runs up to <c>n_jobs</c> of them at once through the runner — a new one as soon as one ends, no batch barrier —
/// and tells each outcome. It keeps its running trials' heartbeats fresh, fails and queues again the trials of workers
/// that died (at start: so an interrupted study resumes), and when stopped hands its own running trials back the same
/// way. When the study holds its trials it waits for other workers' trials still running, which may yet come back.
/// </summary>
internal sealed class TuneWorker
{
    private readonly StoredStudy _study;
    private readonly ITrialRunner _runner;
    private readonly TrialTracking? _tracking;
    private readonly TuneWorkerOptions _options;
    private readonly IProgress<TrialEvent>? _progress;
    private readonly Func<IReadOnlyList<string>, string?>? _describeCommand;
    private readonly Func<int, string?>? _trialDirectory;
    private readonly Lock _countsLock = new();
    private int _complete;
    private int _pruned;
    private int _failed;

    public TuneWorker(
        StoredStudy study,
        ITrialRunner runner,
        TuneWorkerOptions options,
        TrialTracking? tracking = null,
        IProgress<TrialEvent>? progress = null,
        Func<int, string?>? trialDirectory = null,
        Func<IReadOnlyList<string>, string?>? describeCommand = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(options);
        _study = study;
        _runner = runner;
        _options = options;
        _tracking = tracking;
        _progress = progress;
        _trialDirectory = trialDirectory;
        _describeCommand = describeCommand;
    }

    public async Task<TuneWorkerResult> RunAsync(CancellationToken cancellationToken)
    {
        var store = _study.Store;
        var studyId = _study.Info.StudyId;
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeatLoop = HeartbeatLoopAsync(heartbeats.Token);
        var running = new List<Task>();
        var stoppedOnFailures = false;
        try
        {
            await FailStaleAsync(cancellationToken);
            var lastStaleCheck = store.Time.GetTimestamp();
            while (true)
            {
                var exhausted = false;
                while (running.Count < _options.NJobs && !stoppedOnFailures && !_study.StopRequested)
                {
                    if (store.Time.GetElapsedTime(lastStaleCheck) > _options.Heartbeat)
                    {
                        await FailStaleAsync(cancellationToken);
                        lastStaleCheck = store.Time.GetTimestamp();
                    }

                    var trial = await _study.AskAsync(_options.MaxTrials, cancellationToken);
                    if (trial is null)
                    {
                        exhausted = true;
                        break;
                    }

                    running.Add(RunTrialAsync(trial, cancellationToken));
                }

                if (running.Count == 0)
                {
                    if (!exhausted)
                    {
                        break;
                    }

                    // The study holds its trials, but other workers' may still run, and come back queued if theirs died.
                    var counts = await store.CountTrialsAsync(studyId, cancellationToken);
                    if (counts.Running == 0 && counts.Waiting == 0)
                    {
                        break;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, _options.Heartbeat.TotalMilliseconds)), store.Time, cancellationToken);
                    await FailStaleAsync(cancellationToken);
                    lastStaleCheck = store.Time.GetTimestamp();
                    continue;
                }

                var done = await Task.WhenAny(running);
                running.Remove(done);
                await done;
                lock (_countsLock)
                {
                    var finished = _complete + _pruned + _failed;
                    stoppedOnFailures |= _options.MaxFailureRate > 0 && finished >= _options.NJobs && _failed > _options.MaxFailureRate * finished;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped (Ctrl+C, SIGTERM): the trials stop their processes; hand them back so a resumed study runs them.
            await Task.WhenAll(running.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default)));
            var abandoned = await store.AbandonTrialsAsync(studyId, _study.Worker, "interrupted: the worker running it was stopped", _options.MaxRetries, CancellationToken.None);
            await EndAbandonedAsync(abandoned);
            throw;
        }
        finally
        {
            await heartbeats.CancelAsync();
            await heartbeatLoop;
        }

        lock (_countsLock)
        {
            return new TuneWorkerResult(_complete, _pruned, _failed, stoppedOnFailures, _study.StopRequested);
        }
    }

    private async Task RunTrialAsync(StoredStudyTrial trial, CancellationToken cancellationToken)
    {
        var started = _study.Store.Time.GetTimestamp();
        var parameters = new List<KeyValuePair<string, object?>>(_options.SearchSpace.Count);
        foreach (var (name, distribution) in _options.SearchSpace)
        {
            parameters.Add(new(name, trial.Suggest(name, distribution)));
        }

        var overrides = new List<string>(_options.TaskOverrides);
        overrides.AddRange(_options.FixedParams.Select(p => SweepDistributions.OverrideText(p.Key, p.Value)));
        overrides.AddRange(parameters.Select(p => SweepDistributions.OverrideText(p.Key, p.Value)));
        string? runId = null;
        if (_tracking is not null)
        {
            var logged = _options.FixedParams.Select(p => KeyValuePair.Create(p.Key, SweepDistributions.ParamText(p.Value)))
                .Concat(parameters.Select(p => KeyValuePair.Create(p.Key, SweepDistributions.ParamText(p.Value))))
                .ToList();
            runId = await _tracking.StartRunAsync(trial.Number, logged, _describeCommand?.Invoke(overrides), cancellationToken);
        }

        var userAttrs = _options.FixedParams.ToDictionary(p => "fixed:" + p.Key, p => SweepDistributions.ParamText(p.Value), StringComparer.Ordinal);
        if (!await trial.StartAsync(userAttrs, runId, cancellationToken))
        {
            // Failed as stale between the claim and now (this worker looked dead): its queued copy runs instead.
            return;
        }

        _progress?.Report(new TrialEvent(TrialEventKind.Started, trial.Number, TrialState.Running, null, parameters, null, runId, TimeSpan.Zero));
        var multiObjective = _study.Info.Directions.Count > 1;
        var context = new TrialContext(
            trial.Number,
            _study.Info.Name,
            parameters,
            overrides,
            runId,
            _trialDirectory?.Invoke(trial.Number),
            async (step, value, ct) => await _study.ReportAsync(trial, step, value, ct) && !multiObjective && await _study.ShouldPruneAsync(trial, ct),
            async ct => runId is null || _tracking is null ? null : await _tracking.ReadMetricsAsync(runId, ct));
        TrialResult result;
        try
        {
            result = await _runner.RunAsync(context, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A trial that cannot run is a failed trial; the study goes on.
            result = TrialResult.Failed($"{e.GetType().Name}: {e.Message}");
        }

        var finished = await _study.TellAsync(trial, result.State, result.Values, result.Error, result.Attrs, CancellationToken.None);
        var state = finished?.State ?? TrialState.Failed;
        var error = finished is null ? "dropped: the study had failed this trial as stale and queued a copy" : state == TrialState.Failed ? result.Error ?? "failed" : null;
        if (runId is not null)
        {
            await _tracking!.EndRunAsync(runId, state, finished?.Values, error, CancellationToken.None);
        }

        lock (_countsLock)
        {
            switch (state)
            {
                case TrialState.Complete:
                    _complete++;
                    break;
                case TrialState.Pruned:
                    _pruned++;
                    break;
                default:
                    _failed++;
                    break;
            }
        }

        _progress?.Report(new TrialEvent(TrialEventKind.Finished, trial.Number, state, finished?.Values, parameters, error, runId, _study.Store.Time.GetElapsedTime(started)));
    }

    private async Task FailStaleAsync(CancellationToken cancellationToken)
    {
        var staleBefore = _study.Store.NowMs() - (long)_options.StaleAfter.TotalMilliseconds;
        var abandoned = await _study.Timed(() => _study.Store.FailStaleTrialsAsync(_study.Info.StudyId, staleBefore, StudyWorker.IsDeadHere, _options.MaxRetries, cancellationToken));
        await EndAbandonedAsync(abandoned);
    }

    private async Task EndAbandonedAsync(IReadOnlyList<AbandonedTrial> abandoned)
    {
        foreach (var trial in abandoned)
        {
            var message = trial.RequeuedAs is { } copy ? $"its worker stopped; queued again as trial {copy}" : "its worker stopped; retried too often, not queued again";
            if (trial.RunId is not null && _tracking is not null)
            {
                try
                {
                    await _tracking.EndRunAsync(trial.RunId, TrialState.Failed, null, message, CancellationToken.None);
                }
                catch (Tracking.TrackingException)
                {
                    // The run was deleted meanwhile; the study still records the failure.
                }
            }

            _progress?.Report(new TrialEvent(TrialEventKind.Abandoned, trial.Number, TrialState.Failed, null, [], message, trial.RunId, TimeSpan.Zero));
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.Heartbeat, _study.Store.Time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await _study.Store.HeartbeatAsync(_study.Info.StudyId, _study.Worker, cancellationToken);
                }
                catch (System.Data.Common.DbException)
                {
                    // A missed heartbeat is tolerated (a trial goes stale only after several); the next one retries.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
