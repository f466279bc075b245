using System.Collections.Concurrent;
using System.Diagnostics;
using Fathom.Config;
using Fathom.Testing;
using Fathom.Tracking;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning.Tune;

/// <summary>The worker loop over a real SQLite study with trials run by a function: failures, pruning, n_jobs, resume.</summary>
public sealed class TuneWorkerTests : IAsyncLifetime, IDisposable
{
    private static readonly StudyDirection[] Minimize = [StudyDirection.Minimize];
    private readonly TempDirectory _dir = new();
    private readonly ManualTime _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private StudyStore _store = null!;

    public async Task InitializeAsync() => _store = await new StudyStores().OpenAsync(StoreLocation.Parse(_dir.Path, "/"), _time);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    private static TuneWorkerOptions Options(int trials, int jobs = 1) => new(
        [KeyValuePair.Create("x", (ParamDistribution)new FloatDistribution(-1, 1))], [KeyValuePair.Create("fixed", (ConfigNode)ConfigScalar.Of(3L, SourcePosition.Generated))],
        ["train.seed=1"], jobs, trials, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));

    private async Task<StoredStudy> StudyAsync(string name, IPruner? pruner = null) =>
        new(_store, await _store.CreateOrLoadStudyAsync(name, Minimize, "{}", new Dictionary<string, string>(), default), new RandomSampler(new RandomOptions(3)), pruner);

    [Fact]
    public async Task Run_FailingTrial_IsRecordedWithItsErrorAndTheStudyGoesOn()
    {
        using var study = await StudyAsync("failures");
        var seen = new ConcurrentBag<TrialContext>();
        var runner = new FunctionRunner(context =>
        {
            seen.Add(context);
            return context.Number == 2 ? TrialResult.Failed("exit code 1: boom") : TrialResult.Complete([(double)context.Params[0].Value!]);
        });

        var result = await new TuneWorker(study, runner, Options(5)).RunAsync(default);

        Assert.Equal((4, 0, 1), (result.Complete, result.Pruned, result.Failed));
        var trials = await _store.ReadTrialsAsync(study.Info.StudyId, 0, withUserAttrs: true, default);
        Assert.Equal(TrialState.Failed, trials[2].State);
        Assert.Equal("exit code 1: boom", trials[2].Error);
        Assert.All(trials.Where(t => t.Number != 2), t => Assert.Equal(t.Trial.Params["x"], t.Trial.Values![0]));
        Assert.All(seen, c => Assert.Equal(["train.seed=1", "fixed=3", $"x={Fathom.Config.ConfigScalar.FormatFloat((double)c.Params[0].Value!)}"], c.Overrides));
        Assert.Equal("3", trials[0].UserAttrs["fixed:fixed"]);
    }

    [Fact]
    public async Task Run_TrialTrailingTheOthers_IsPrunedWhenItReports()
    {
        using var study = await StudyAsync("pruning", PercentilePruner.Median(nStartupTrials: 1));
        var runner = new FunctionRunner(async (context, ct) =>
        {
            // Trial 0 learns; trial 1 is worse at every step and should stop at its first report.
            for (var step = 0; step < 5; step++)
            {
                var value = context.Number == 0 ? 1.0 / (step + 1) : 10.0;
                if (await context.ReportAsync(step, value, ct))
                {
                    return TrialResult.Pruned();
                }
            }

            return TrialResult.Complete([context.Number == 0 ? 0.2 : 10.0]);
        });

        var result = await new TuneWorker(study, runner, Options(2)).RunAsync(default);

        Assert.Equal((1, 1), (result.Complete, result.Pruned));
        var pruned = (await _store.ReadTrialsAsync(study.Info.StudyId, 1, withUserAttrs: false, default))[0];
        Assert.Equal(TrialState.Pruned, pruned.State);
        Assert.Equal([0], pruned.Trial.IntermediateValues.Keys);
        Assert.Equal([10.0], pruned.Trial.Values!);
    }

    [Fact]
    public async Task Run_NJobs_StartsATrialAsSoonAsOneEnds()
    {
        using var study = await StudyAsync("jobs");
        var clock = Stopwatch.StartNew();
        var started = new ConcurrentDictionary<int, TimeSpan>();
        var ended = new ConcurrentDictionary<int, TimeSpan>();
        var running = 0;
        var most = 0;
        var lastStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new FunctionRunner(async (context, ct) =>
        {
            started[context.Number] = clock.Elapsed;
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (context.Number == 5)
            {
                lastStarted.TrySetResult();
            }

            // Trial 0 holds its slot until trial 5 has started (or 30 s pass): with a batch barrier trial 5 could
            // not start before trial 0 ends, so the test does not hang on the clock of a loaded machine either way.
            await (context.Number == 0 ? Task.WhenAny(lastStarted.Task, Task.Delay(TimeSpan.FromSeconds(30), ct)) : Task.Delay(10, ct));
            Interlocked.Decrement(ref running);
            ended[context.Number] = clock.Elapsed;
            return TrialResult.Complete([1.0]);
        });

        await new TuneWorker(study, runner, Options(6, jobs: 2)).RunAsync(default);

        Assert.Equal(2, most);
        // No batch barrier: while trial 0 still runs, the second slot goes through the other trials one after another.
        Assert.True(started[5] < ended[0], $"trial 5 started at {started[5]}, trial 0 ended at {ended[0]}");
    }

    [Fact]
    public async Task Run_InterruptedStudy_ResumesWithTheDeadWorkersTrialQueuedAgain()
    {
        using (var before = await StudyAsync("resume"))
        {
            // A worker that died: two trials done, one left RUNNING with its params, no heartbeat since.
            await new TuneWorker(before, new FunctionRunner(_ => TrialResult.Complete([0.5])), Options(2)).RunAsync(default);
            var orphan = (await _store.ClaimTrialAsync(before.Info.StudyId, "elsewhere:1", 4, default))!;
            await _store.StartTrialAsync(orphan.TrialId, "elsewhere:1", FrozenTrial.Running(orphan.Number).WithParam("x", new FloatDistribution(-1, 1), 0.125), new Dictionary<string, string>(), null, default);
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        using var study = await StudyAsync("resume");
        var ran = new ConcurrentBag<(int, double)>();
        var result = await new TuneWorker(study, new FunctionRunner(c =>
        {
            ran.Add((c.Number, (double)c.Params[0].Value!));
            return TrialResult.Complete([1.0]);
        }), Options(4)).RunAsync(default);

        // The budget of 4: trials 0 and 1, the orphan (2) replaced by its copy (3), and one new trial (4).
        Assert.Equal(2, result.Complete);
        Assert.Contains((3, 0.125), ran);
        Assert.Contains(ran, r => r.Item1 == 4);
        var counts = await _store.CountTrialsAsync(study.Info.StudyId, default);
        Assert.Equal((4, 0, 1), (counts.Complete, counts.Failed, counts.Requeued));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class FunctionRunner : ITrialRunner
    {
        private readonly Func<TrialContext, CancellationToken, Task<TrialResult>> _run;

        public FunctionRunner(Func<TrialContext, TrialResult> run) => _run = (c, _) => Task.FromResult(run(c));

        public FunctionRunner(Func<TrialContext, CancellationToken, Task<TrialResult>> run) => _run = run;

        public Task<TrialResult> RunAsync(TrialContext context, CancellationToken cancellationToken) => _run(context, cancellationToken);
    }
}
