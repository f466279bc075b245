namespace Fathom.Tuning;

/// <summary>
/// A study kept in a <see cref="StudyStore"/>, ask-and-tell over the sampler and pruner ports as
/// <see cref="InMemoryStudy"/> is (Optuna's <c>Study</c> over its RDB storage): <see cref="AskAsync"/> claims a trial
/// in the store and starts its <see cref="TrialSampling"/> against the study as every worker left it; the caller suggests
/// params on the returned trial and <see cref="StoredStudyTrial.StartAsync"/> records them; intermediate values, the
/// pruner's answers and the outcome go to the store as they happen. Finished trials never change, so they are read once
/// and kept: each ask reads only the trials from the oldest one not yet seen finished.
/// </summary>
/// <remarks>Several trials of one worker may run at once (<c>n_jobs</c>); asks are serialised, since a sampler keeps caches.</remarks>
internal sealed class StoredStudy : IDisposable
{
    private readonly SortedDictionary<int, StoredTrial> _finished = [];
    private readonly Lock _cacheLock = new();
    private readonly SemaphoreSlim _askGate = new(1, 1);
    private List<StoredTrial> _open = [];

    public StoredStudy(StudyStore store, StudyInfo info, ISampler sampler, IPruner? pruner = null, string? worker = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(sampler);
        Store = store;
        Info = info;
        Sampler = sampler;
        Pruner = pruner ?? new NopPruner();
        Worker = worker ?? StudyWorker.Current;
    }

    public StudyStore Store { get; }

    public StudyInfo Info { get; }

    public ISampler Sampler { get; }

    public IPruner Pruner { get; }

    /// <summary>The worker id this study writes its trials under.</summary>
    public string Worker { get; }

    /// <summary>Set when a sampler said every configuration has been tried (the grid sampler).</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Time spent waiting on the store (reads and writes), for the benchmark's coordination figure.</summary>
    public TimeSpan StoreTime => TimeSpan.FromTicks(Interlocked.Read(ref _storeTicks));

    private long _storeTicks;

    public void Dispose() => _askGate.Dispose();

    /// <summary>The study as samplers and pruners see it now: every trial, running ones with their latest state.</summary>
    public async Task<StudyView> ViewAsync(CancellationToken cancellationToken)
    {
        int from;
        lock (_cacheLock)
        {
            from = 0;
            while (_finished.ContainsKey(from))
            {
                from++;
            }
        }

        var fresh = await Timed(() => Store.ReadTrialsAsync(Info.StudyId, from, withUserAttrs: false, cancellationToken));
        lock (_cacheLock)
        {
            var open = new List<StoredTrial>();
            foreach (var trial in fresh)
            {
                if (trial.Trial.IsFinished)
                {
                    _finished[trial.Number] = trial;
                }
                else
                {
                    open.Add(trial);
                }
            }

            _open = open;
            return Snapshot();
        }
    }

    /// <summary>
    /// Claims the next trial (a queued one first) within <paramref name="maxTrials"/> and begins its sampling; null when
    /// the budget is spent and nothing is queued.
    /// </summary>
    public async Task<StoredStudyTrial?> AskAsync(long maxTrials, CancellationToken cancellationToken)
    {
        await _askGate.WaitAsync(cancellationToken);
        try
        {
            var claimed = await Timed(() => Store.ClaimTrialAsync(Info.StudyId, Worker, maxTrials, cancellationToken));
            if (claimed is null)
            {
                return null;
            }

            var view = await ViewAsync(cancellationToken);
            var trial = FrozenTrial.Running(claimed.Number).WithSystemAttrs(claimed.SystemAttrs);
            var fixedParams = claimed.FixedParams.ToDictionary(p => p.Key, p => p.Value.Distribution.ToExternal(p.Value.Value), StringComparer.Ordinal);
            var sampling = TrialSampling.Begin(Sampler, view, trial, fixedParams);
            return new StoredStudyTrial(this, claimed, sampling);
        }
        finally
        {
            _askGate.Release();
        }
    }

    /// <summary>Records an intermediate value; false when the trial is no longer this worker's (failed as stale).</summary>
    public async Task<bool> ReportAsync(StoredStudyTrial trial, int step, double value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        trial.Sampling.Replace(trial.Trial.WithReport(step, value));
        return await Timed(() => Store.ReportAsync(trial.TrialId, Worker, step, value, new Dictionary<string, string>(), cancellationToken));
    }

    /// <summary>Asks the pruner about a running trial against the study as it is now, and records the attributes it returns.</summary>
    public async Task<bool> ShouldPruneAsync(StoredStudyTrial trial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (Pruner is NopPruner)
        {
            return false;
        }

        var view = await ViewAsync(cancellationToken);
        view = view with { Trials = [.. view.Trials.Select(t => t.Number == trial.Number ? trial.Trial : t)] };
        var decision = Pruner.ShouldPrune(view, trial.Trial);
        if (decision.SystemAttrs.Count > 0)
        {
            trial.Sampling.Replace(trial.Trial.WithSystemAttrs(decision.SystemAttrs));
            var last = trial.Trial.LastStep ?? 0;
            await Timed(() => Store.ReportAsync(trial.TrialId, Worker, last, trial.Trial.IntermediateValues.GetValueOrDefault(last, double.NaN), decision.SystemAttrs, cancellationToken));
        }

        return decision.Prune;
    }

    /// <summary>
    /// Finishes a trial with Optuna's tell rules (a complete trial without one finite value per objective fails) and runs
    /// the sampler's after-trial hook. Null when the trial was no longer this worker's: its result is dropped, since the
    /// study already failed it and queued a copy.
    /// </summary>
    public async Task<FrozenTrial?> TellAsync(
        StoredStudyTrial trial, TrialState state, IReadOnlyList<double>? values, string? error, IReadOnlyDictionary<string, string>? userAttrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var finished = trial.Trial.Finish(state, values, Info.Directions.Count);
        if (finished.State == TrialState.Failed && state == TrialState.Complete)
        {
            error ??= $"expected {Info.Directions.Count} finite value(s), got [{string.Join(", ", values ?? [])}]";
        }

        var stored = await Timed(() => Store.FinishTrialAsync(trial.TrialId, Worker, finished.State, finished.Values, error,
            userAttrs ?? new Dictionary<string, string>(), cancellationToken));
        if (!stored)
        {
            return null;
        }

        StudyView view;
        lock (_cacheLock)
        {
            _finished[finished.Number] = new StoredTrial(trial.TrialId, finished, Worker, null, null, Store.NowMs(), error, trial.RunId, false,
                new Dictionary<string, string>());
            _open = [.. _open.Where(t => t.Number != finished.Number)];
            view = Snapshot();
        }

        StopRequested |= Sampler.AfterTrial(view, finished, finished.State, finished.Values).StopStudy;
        return finished;
    }

    // A function, not a task: SQLite's calls run synchronously, so the work is done by the time the task exists.
    internal async Task<T> Timed<T>(Func<Task<T>> work)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await work();
        }
        finally
        {
            Interlocked.Add(ref _storeTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        }
    }

    // Callers hold _cacheLock.
    private StudyView Snapshot()
    {
        var trials = new List<FrozenTrial>(_finished.Count + _open.Count);
        var open = _open.ToDictionary(t => t.Number);
        var count = Math.Max(_finished.Count == 0 ? 0 : _finished.Keys.Last() + 1, open.Count == 0 ? 0 : open.Keys.Max() + 1);
        for (var n = 0; n < count; n++)
        {
            if (_finished.TryGetValue(n, out var done))
            {
                trials.Add(done.Trial);
            }
            else if (open.TryGetValue(n, out var running))
            {
                trials.Add(running.Trial);
            }
        }

        return new StudyView(Info.Name, Info.Directions, trials);
    }
}

/// <summary>A trial a worker runs: its store id, the claim it came from, and its sampling (suggest params here).</summary>
internal sealed class StoredStudyTrial
{
    internal StoredStudyTrial(StoredStudy study, ClaimedTrial claimed, TrialSampling sampling)
    {
        Study = study;
        Claimed = claimed;
        Sampling = sampling;
    }

    public StoredStudy Study { get; }

    public ClaimedTrial Claimed { get; }

    public TrialSampling Sampling { get; }

    public long TrialId => Claimed.TrialId;

    public int Number => Claimed.Number;

    /// <summary>The trial as it stands: suggested params, reports, system attributes.</summary>
    public FrozenTrial Trial => Sampling.Trial;

    /// <summary>The tracking run of the trial, once started.</summary>
    public string? RunId { get; private set; }

    /// <summary>
    /// The param's value (external representation), sampled or fixed. A value on a float step grid is kept as the decimal
    /// grid point (0.225, not 0.22500000000000003), so the override a trial gets and the param its run logs read as written.
    /// </summary>
    public object? Suggest(string name, ParamDistribution distribution)
    {
        var value = Sampling.SuggestInternal(name, distribution);
        if (distribution is FloatDistribution { Step: { } step } grid && GridPoint(grid.Low, step, value) is var clean && clean != value && grid.Contains(clean))
        {
            Sampling.Replace(Trial.WithParam(name, distribution, clean));
            value = clean;
        }

        return distribution.ToExternal(value);
    }

    private static double GridPoint(double low, double step, double value)
    {
        try
        {
            var dLow = decimal.Parse(low.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            var dStep = decimal.Parse(step.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            var k = Math.Round((value - low) / step);
            return (double)(dLow + ((decimal)k * dStep));
        }
        catch (Exception e) when (e is OverflowException or FormatException)
        {
            return value;
        }
    }

    /// <summary>Records the suggested params, the sampler's attributes, user attributes and the tracking run; false when the trial is no longer this worker's.</summary>
    public async Task<bool> StartAsync(IReadOnlyDictionary<string, string> userAttrs, string? runId, CancellationToken cancellationToken)
    {
        RunId = runId;
        return await Study.Timed(() => Study.Store.StartTrialAsync(TrialId, Study.Worker, Trial, userAttrs, runId, cancellationToken));
    }
}
