using System.Collections.Concurrent;
using Fathom.Tuning;

namespace Fathom.Testing;

/// <summary>
/// The study store's contract, run once per backend (SQLite, PostgreSQL): many workers share a study through separate
/// store instances (their own connections, as separate processes have) with no trial numbered twice or lost, queued
/// trials claimed once, dead workers' trials failed and queued again, and the stored trials presented to the samplers
/// exactly as an in-memory study presents them.
/// </summary>
public abstract class StudyStoreCompliance : IAsyncLifetime
{
    private readonly List<StudyStore> _opened = [];

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A clock the tests move (heartbeats and staleness).</summary>
    protected ManualTime Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    /// <summary>Why the backend cannot run here (tests skip), or null.</summary>
    protected virtual string? Unavailable => null;

    /// <summary>Prepares a fresh, empty database for the test.</summary>
    protected abstract Task CreateDatabaseAsync();

    /// <summary>Opens another store on the test's database (another worker's connections).</summary>
    internal abstract Task<StudyStore> OpenAsync(TimeProvider time);

    public async Task InitializeAsync()
    {
        if (Unavailable is null)
        {
            await CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    protected void SkipIfUnavailable() => Skip.If(Unavailable is not null, Unavailable);

    private async Task<StudyStore> StoreAsync()
    {
        var store = await OpenAsync(Time);
        _opened.Add(store);
        return store;
    }

    private static readonly StudyDirection[] Minimize = [StudyDirection.Minimize];
    private static readonly Dictionary<string, string> None = [];

    [SkippableFact]
    public async Task CreateOrLoad_SameNameTwice_LoadsTheStudyAndRefusesOtherDirections()
    {
        SkipIfUnavailable();
        var store = await StoreAsync();
        var created = await store.CreateOrLoadStudyAsync("s", Minimize, "{\"name\":\"tpe\"}", new Dictionary<string, string> { ["objectives"] = "[\"loss\"]" }, Ct);
        var loaded = await (await StoreAsync()).CreateOrLoadStudyAsync("s", Minimize, "{}", None, Ct);

        Assert.Equal(created.StudyId, loaded.StudyId);
        Assert.Equal("[\"loss\"]", loaded.Attrs["objectives"]);
        Assert.Equal("{\"name\":\"tpe\"}", loaded.Sampler);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateOrLoadStudyAsync("s", [StudyDirection.Minimize, StudyDirection.Maximize], "{}", None, Ct));
        Assert.Contains("optimises [minimize], not [minimize,maximize]", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Claim_ManyWorkersAtOnce_NumbersEveryTrialOnceWithinTheBudget()
    {
        SkipIfUnavailable();
        const int Workers = 6;
        const int Budget = 120;
        var study = await (await StoreAsync()).CreateOrLoadStudyAsync("race", Minimize, "{}", None, Ct);
        var stores = new List<StudyStore>();
        for (var w = 0; w < Workers; w++)
        {
            stores.Add(await StoreAsync());
        }

        var claimed = new ConcurrentBag<int>();
        await Task.WhenAll(stores.SelectMany((store, w) => Enumerable.Range(0, 3).Select(j => Task.Run(async () =>
        {
            var worker = $"test-{w}-{j}";
            while (await store.ClaimTrialAsync(study.StudyId, worker, Budget, Ct) is { } trial)
            {
                claimed.Add(trial.Number);
                Assert.True(await store.FinishTrialAsync(trial.TrialId, worker, TrialState.Complete, [trial.Number], null, None, Ct));
            }
        }))));

        Assert.Equal(Enumerable.Range(0, Budget), claimed.Order());
        var counts = await stores[0].CountTrialsAsync(study.StudyId, Ct);
        Assert.Equal((Budget, 0, 0), (counts.Complete, counts.Running, counts.Waiting));
        var trials = await stores[0].ReadTrialsAsync(study.StudyId, 0, withUserAttrs: false, Ct);
        Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal([(double)t.Number], t.Trial.Values!));
    }

    [SkippableFact]
    public async Task Claim_QueuedTrials_EachGoesToExactlyOneWorkerWithItsParams()
    {
        SkipIfUnavailable();
        var store = await StoreAsync();
        var study = await store.CreateOrLoadStudyAsync("queue", Minimize, "{}", None, Ct);
        var x = new FloatDistribution(0, 10);
        for (var i = 0; i < 12; i++)
        {
            await store.EnqueueTrialAsync(study.StudyId, new Dictionary<string, (ParamDistribution, double)> { ["x"] = (x, i) }, None, Ct);
        }

        var claims = new ConcurrentBag<ClaimedTrial>();
        var others = new List<StudyStore>();
        for (var w = 0; w < 4; w++)
        {
            others.Add(await StoreAsync());
        }

        await Task.WhenAll(others.Select((s, w) => Task.Run(async () =>
        {
            while (await s.ClaimTrialAsync(study.StudyId, $"w{w}", 12, Ct) is { } trial)
            {
                claims.Add(trial);
            }
        })));

        Assert.Equal(Enumerable.Range(0, 12), claims.Select(c => c.Number).Order());
        Assert.All(claims, c => Assert.Equal((double)c.Number, c.FixedParams["x"].Value));
        Assert.All(claims, c => Assert.Equal(x, c.FixedParams["x"].Distribution));
    }

    [SkippableFact]
    public async Task FailStale_DeadWorkersTrial_IsFailedAndQueuedAgainWithItsParams()
    {
        SkipIfUnavailable();
        var store = await StoreAsync();
        var study = await store.CreateOrLoadStudyAsync("resume", Minimize, "{}", None, Ct);
        var first = (await store.ClaimTrialAsync(study.StudyId, "gone", 1, Ct))!;
        var x = new IntDistribution(1, 9);
        var started = FrozenTrial.Running(first.Number).WithParam("x", x, 7).WithSystemAttrs(new Dictionary<string, string> { ["grid_id"] = "3" });
        Assert.True(await store.StartTrialAsync(first.TrialId, "gone", started, new Dictionary<string, string> { ["fixed:y"] = "1" }, "run-1", Ct));
        Assert.Null(await store.ClaimTrialAsync(study.StudyId, "alive", 1, Ct));

        Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(await store.FailStaleTrialsAsync(study.StudyId, Time.GetUtcNow().ToUnixTimeMilliseconds() - 60_000, _ => false, 3, Ct));
        Time.Advance(TimeSpan.FromSeconds(60));
        var abandoned = Assert.Single(await store.FailStaleTrialsAsync(study.StudyId, Time.GetUtcNow().ToUnixTimeMilliseconds() - 60_000, _ => false, 3, Ct));

        Assert.Equal(new AbandonedTrial(0, "run-1", 1), abandoned);
        // The copy replaces the failed trial in the budget of one trial; the dead worker cannot finish its trial any more.
        var copy = (await store.ClaimTrialAsync(study.StudyId, "alive", 1, Ct))!;
        Assert.Equal(1, copy.Number);
        Assert.Equal((x, 7.0), copy.FixedParams["x"]);
        Assert.Equal("0", copy.SystemAttrs[StudyStore.FailedTrialKey]);
        Assert.Equal("1", copy.UserAttrs["fixed:y"]);
        Assert.False(copy.SystemAttrs.ContainsKey("grid_id"));
        Assert.False(await store.FinishTrialAsync(first.TrialId, "gone", TrialState.Complete, [1.0], null, None, Ct));
        Assert.Null(await store.ClaimTrialAsync(study.StudyId, "alive", 1, Ct));
        var trials = await store.ReadTrialsAsync(study.StudyId, 0, withUserAttrs: true, Ct);
        Assert.Equal(TrialState.Failed, trials[0].State);
        Assert.True(trials[0].Requeued);
        Assert.Contains("no heartbeat", trials[0].Error, StringComparison.Ordinal);
        var counts = await store.CountTrialsAsync(study.StudyId, Ct);
        Assert.Equal((1, 0, 1), (counts.Running, counts.Failed, counts.Requeued));
    }

    [SkippableFact]
    public async Task FailStale_KnownDeadWorker_FailsAtOnceAndStopsAfterMaxRetries()
    {
        SkipIfUnavailable();
        var store = await StoreAsync();
        var study = await store.CreateOrLoadStudyAsync("retries", Minimize, "{}", None, Ct);
        var claimed = (await store.ClaimTrialAsync(study.StudyId, "crashy", 5, Ct))!;
        for (var retry = 1; retry <= 2; retry++)
        {
            var abandoned = Assert.Single(await store.FailStaleTrialsAsync(study.StudyId, 0, w => w == "crashy", 2, Ct));
            Assert.Equal(claimed.Number, abandoned.Number);
            claimed = (await store.ClaimTrialAsync(study.StudyId, "crashy", 5, Ct))!;
            Assert.Equal(abandoned.RequeuedAs, claimed.Number);
            Assert.Equal(retry.ToString(System.Globalization.CultureInfo.InvariantCulture), claimed.SystemAttrs[StudyStore.RetryCountKey]);
            Assert.Equal("0", claimed.SystemAttrs[StudyStore.FailedTrialKey]);
        }

        Assert.Null(Assert.Single(await store.FailStaleTrialsAsync(study.StudyId, 0, w => w == "crashy", 2, Ct)).RequeuedAs);
        Assert.Equal((1, 2), ((await store.CountTrialsAsync(study.StudyId, Ct)).Failed, (await store.CountTrialsAsync(study.StudyId, Ct)).Requeued));
    }

    [SkippableFact]
    public async Task AbandonTrials_StoppedWorker_HandsItsRunningTrialsBack()
    {
        SkipIfUnavailable();
        var store = await StoreAsync();
        var study = await store.CreateOrLoadStudyAsync("stop", Minimize, "{}", None, Ct);
        await store.ClaimTrialAsync(study.StudyId, "me", 10, Ct);
        await store.ClaimTrialAsync(study.StudyId, "other", 10, Ct);

        var handed = await store.AbandonTrialsAsync(study.StudyId, "me", "interrupted", 3, Ct);

        Assert.Equal(new AbandonedTrial(0, null, 2), Assert.Single(handed));
        var trials = await store.ReadTrialsAsync(study.StudyId, 0, withUserAttrs: false, Ct);
        Assert.Equal([TrialState.Failed, TrialState.Running, TrialState.Waiting], trials.Select(t => t.State));
        Assert.Equal("interrupted", trials[0].Error);
    }

    [SkippableFact]
    public async Task ReadTrials_RoundTripsParamsValuesReportsAndAttrs()
    {
        SkipIfUnavailable();
        var store = await StoreAsync();
        var study = await store.CreateOrLoadStudyAsync("read", [StudyDirection.Minimize, StudyDirection.Maximize], "{}", None, Ct);
        var claimed = (await store.ClaimTrialAsync(study.StudyId, "w", 10, Ct))!;
        var choice = new CategoricalDistribution(["adam", 1L, 2.0, null, true]);
        var stepped = new FloatDistribution(0.1, 0.3, 0.025);
        var trial = FrozenTrial.Running(claimed.Number).WithParam("opt", choice, 2).WithParam("val_split", stepped, 0.225).WithParam("n", new IntDistribution(1, 64, log: true), 8);
        Assert.True(await store.StartTrialAsync(claimed.TrialId, "w", trial, new Dictionary<string, string> { ["note"] = "é" }, "abc", Ct));
        Assert.True(await store.ReportAsync(claimed.TrialId, "w", 1, 0.5, None, Ct));
        Assert.True(await store.ReportAsync(claimed.TrialId, "w", 1, 0.9, new Dictionary<string, string> { ["completed_rung_0"] = "0.5" }, Ct));
        Assert.True(await store.ReportAsync(claimed.TrialId, "w", 2, double.NaN, None, Ct));
        Assert.False(await store.ReportAsync(claimed.TrialId, "intruder", 3, 0.1, None, Ct));
        Assert.True(await store.FinishTrialAsync(claimed.TrialId, "w", TrialState.Complete, [0.25, 0.75], null, new Dictionary<string, string> { ["objective_source"] = "stdout" }, Ct));

        var read = Assert.Single(await store.ReadTrialsAsync(study.StudyId, 0, withUserAttrs: true, Ct));

        Assert.Equal(TrialState.Complete, read.State);
        Assert.Equal([0.25, 0.75], read.Trial.Values!);
        Assert.Equal((choice, 2.0), (read.Trial.Distributions["opt"], read.Trial.Params["opt"]));
        Assert.Equal(2.0, Assert.IsType<double>(((CategoricalDistribution)read.Trial.Distributions["opt"]).Choices[2]));
        Assert.Equal(stepped, read.Trial.Distributions["val_split"]);
        Assert.Equal(0.225, read.Trial.Params["val_split"]);
        Assert.Equal(new IntDistribution(1, 64, log: true), read.Trial.Distributions["n"]);
        Assert.Equal(0.5, read.Trial.IntermediateValues[1]);
        Assert.True(double.IsNaN(read.Trial.IntermediateValues[2]));
        Assert.Equal("0.5", read.Trial.SystemAttrs["completed_rung_0"]);
        Assert.Equal(("é", "stdout"), (read.UserAttrs["note"], read.UserAttrs["objective_source"]));
        Assert.Equal(("abc", "w"), (read.RunId, read.Worker));
        Assert.NotNull(read.FinishedAt);
    }

    [SkippableFact]
    public async Task StoredStudy_AskAndTellInTurn_SamplesAsTheInMemoryStudy()
    {
        SkipIfUnavailable();
        var store = await StoreAsync();
        var info = await store.CreateOrLoadStudyAsync("same", Minimize, "{}", None, Ct);
        using var stored = new StoredStudy(store, info, new TpeSampler(new TpeOptions(Seed: 5, NStartupTrials: 4)), worker: "w");
        var memory = new InMemoryStudy("same", Minimize, new TpeSampler(new TpeOptions(Seed: 5, NStartupTrials: 4)));
        var x = new FloatDistribution(-5, 5);
        var opt = new CategoricalDistribution(["a", "b", "c"]);
        for (var i = 0; i < 14; i++)
        {
            var a = (await stored.AskAsync(100, Ct))!;
            var b = memory.Ask();
            var (xa, oa) = ((double)a.Suggest("x", x)!, (string)a.Suggest("opt", opt)!);
            var (xb, ob) = ((double)b.Suggest("x", x)!, (string)b.Suggest("opt", opt)!);
            Assert.Equal((xb, ob), (xa, oa));
            Assert.True(await a.StartAsync(None, null, Ct));
            var loss = (xa * xa) + (oa == "b" ? 0 : 1);
            await stored.TellAsync(a, TrialState.Complete, [loss], null, null, Ct);
            memory.Tell(b, TrialState.Complete, [loss]);
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
