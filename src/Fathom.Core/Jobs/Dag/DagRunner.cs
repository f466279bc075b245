using System.Text.Json;
using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>How one operation of a DAG ended: its own run, its status, and why.</summary>
internal sealed record DagOperationOutcome(string Name, string Uuid, JobStatus Status, string? Message);

/// <summary>How a DAG's run ended: its status aggregated from its operations (each a run of its own).</summary>
internal sealed record DagOutcome(string Uuid, JobStatus Status, string? Message, IReadOnlyList<DagOperationOutcome> Operations, string LogFile);

/// <summary>
/// Runs a <c>run.kind: dag</c> in the foreground as Polyaxon's pipelines do: the DAG is a run, each operation a run of
/// its own whose parent is the DAG's run, started once its upstream are done and its trigger allows (else it ends
/// <c>upstream_failed</c> or <c>skipped</c> without running), at most <c>concurrency</c> at once, with params that
/// <c>ref</c> an upstream operation (or the DAG) read from that run's inputs, outputs or globals. Each operation runs
/// through <see cref="JobRunner"/>, so its lifecycle, retries, timeout and log are a job's.
/// </summary>
internal sealed partial class DagRunner(IJobStore store, IJobExecutor executor, TimeProvider time)
{
    private readonly IJobStore _store = store;
    private readonly IJobExecutor _executor = executor;
    private readonly TimeProvider _time = time;

    /// <summary>Whether a file runs a DAG (its component, inline or by pathRef, has <c>run.kind: dag</c>).</summary>
    public static bool IsDag(PolyaxonDocument document) => JobCompiler.Resolve(document).Component.Run is DagRunSpec;

    /// <summary>
    /// Reads the DAG's inputs and checks what can be checked before anything runs (every operation's component found,
    /// every ref readable); the operations in the order they may run.
    /// </summary>
    public static DagPlanned Plan(JobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (component, operation) = JobCompiler.Resolve(request.Document);
        var dag = component.Run as DagRunSpec
            ?? throw new ConfigException(new SourcePosition(component.File, 0, 0), "run.kind", "this file does not run a dag.");
        var inputs = JobCompiler.ResolveParams(component, operation, request.Params);
        var children = new Dictionary<string, PolyaxonDocument>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var op in dag.Operations)
        {
            var child = Child(op, dag, request.Document.File);
            try
            {
                JobCompiler.Resolve(child);
            }
            catch (ConfigException e)
            {
                problems.Add(e.Message);
            }

            if (op.Conditions is not null)
            {
                problems.Add($"{op.Source}: operations.{op.Name}.conditions: conditions are not evaluated by Fathom yet; use trigger (all_succeeded, all_done, one_succeeded, …) instead.");
            }

            problems.AddRange(CheckRefs(op));
            children[op.Name!] = child;
        }

        return problems.Count > 0
            ? throw new ConfigException(string.Join(Environment.NewLine, problems))
            : new DagPlanned(component.Name ?? operation?.Name ?? Path.GetFileNameWithoutExtension(request.Document.File), dag, inputs, DagPlan.Order(dag.Operations), children);
    }

    /// <summary>
    /// Records the DAG's run and runs its operations until every one has ended; <paramref name="output"/> hears each line
    /// an operation prints (prefixed with its name) and <paramref name="onStatus"/> each status an operation or the DAG
    /// (named null) takes. Cancelling stops the running operations and records those not started as stopped.
    /// </summary>
    public async Task<DagOutcome> RunAsync(JobRequest request, DagPlanned plan, string uuid, Action<string> output, Action<string?, JobStatus, string?>? onStatus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(output);
        var runFolder = Path.Combine(request.Agent.ArtifactsStore.LocalPath!, uuid);
        var logFile = Path.Combine(runFolder, "logs", "main.log");
        var now = _time.GetUtcNow();
        await _store.CreateRunAsync(new JobRunRecord(
            uuid, request.Project, plan.Name, "dag", JobStatus.Created, _executor.Name, request.Document.File, JsonSerializer.Serialize(plan.Inputs),
            ResolvedSpec(plan), now.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), null, null, null, logFile, Path.Combine(runFolder, "outputs"), 1, null, null),
            CancellationToken.None);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        await using var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var run = new Execution(this, request, plan, uuid, Globals(request, uuid, plan.Name, now), log, output, onStatus);
        foreach (var status in (JobStatus[])[JobStatus.Queued, JobStatus.Scheduled, JobStatus.Starting, JobStatus.Running])
        {
            await run.MoveAsync(null, uuid, status, null);
        }

        var pending = plan.Order.ToList();
        var running = new Dictionary<Task<Ended>, string>();
        var concurrency = Math.Max(1, plan.Dag.Concurrency ?? 1);
        while (pending.Count > 0 || running.Count > 0)
        {
            for (var progressed = true; progressed;)
            {
                progressed = false;
                foreach (var op in pending.ToList())
                {
                    var upstream = DagPlan.Upstream(op);
                    if (!upstream.All(run.Done.ContainsKey))
                    {
                        continue;
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        pending.Remove(op);
                        run.Done[op.Name!] = await run.NeverRanAsync(op, JobStatus.Stopped, "the DAG was stopped before this operation started");
                        progressed = true;
                    }
                    else if (DagPlan.Decide(op.Trigger, [.. upstream.Select(u => run.Done[u].Status)], op.SkipOnUpstreamSkip) is { } instead)
                    {
                        pending.Remove(op);
                        run.Done[op.Name!] = await run.NeverRanAsync(op, instead, Why(op, upstream, run.Done, instead));
                        progressed = true;
                    }
                    else if (running.Count < concurrency)
                    {
                        pending.Remove(op);
                        running[run.RunOperationAsync(op, cancellationToken)] = op.Name!;
                        progressed = true;
                    }
                }
            }

            if (running.Count == 0)
            {
                // Every pending operation waits for one that will never end: DagChecks refuses cycles, so this is a bug.
                if (pending.Count > 0)
                {
                    throw new InvalidOperationException($"The DAG cannot progress: {string.Join(", ", pending.Select(p => p.Name))} wait for operations that never ran.");
                }

                break;
            }

            var done = await Task.WhenAny(running.Keys);
            run.Done[running[done]] = await done;
            running.Remove(done);
        }

        var outcomes = plan.Dag.Operations.Select(op => run.Done[op.Name!] is var end ? new DagOperationOutcome(op.Name!, end.Uuid, end.Status, end.Message) : null!).ToList();
        var (final, why) = Aggregate(outcomes, cancellationToken.IsCancellationRequested);
        if (final == JobStatus.Stopped)
        {
            await run.MoveAsync(null, uuid, JobStatus.Stopping, "stop requested");
        }

        await run.MoveAsync(null, uuid, final, why);
        return new DagOutcome(uuid, final, why, outcomes, logFile);
    }

    /// <summary>
    /// The DAG's status from its operations' (Polyaxon's pipeline status): stopped when it was stopped, failed when any
    /// operation failed or could not run because an upstream failed, else succeeded (skipped operations do not fail it).
    /// </summary>
    public static (JobStatus Status, string? Message) Aggregate(IReadOnlyList<DagOperationOutcome> operations, bool stopped)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (stopped)
        {
            return (JobStatus.Stopped, "stopped by the user");
        }

        var failed = operations.Where(o => o.Status is JobStatus.Failed or JobStatus.UpstreamFailed or JobStatus.Stopped).ToList();
        return failed.Count == 0
            ? (JobStatus.Succeeded, null)
            : (JobStatus.Failed, $"operation{(failed.Count > 1 ? "s" : "")} {string.Join(", ", failed.Select(f => $"{f.Name} ({f.Status.Name()})"))}");
    }

    private static string Why(OperationSpec op, IReadOnlyList<string> upstream, IReadOnlyDictionary<string, Ended> ended, JobStatus instead)
    {
        var states = string.Join(", ", upstream.Select(u => $"{u} {ended[u].Status.Name()}"));
        var trigger = PolyaxonTriggerName(op.Trigger);
        return instead == JobStatus.Skipped && op.SkipOnUpstreamSkip && upstream.Any(u => ended[u].Status == JobStatus.Skipped)
            ? $"an upstream operation was skipped (skipOnUpstreamSkip): {states}"
            : $"trigger {trigger} not met: {states}";
    }

    private static string PolyaxonTriggerName(DagTrigger trigger) => trigger switch
    {
        DagTrigger.AllSucceeded => "all_succeeded",
        DagTrigger.AllFailed => "all_failed",
        DagTrigger.AllDone => "all_done",
        DagTrigger.OneSucceeded => "one_succeeded",
        DagTrigger.OneFailed => "one_failed",
        _ => "one_done",
    };

    private static string KindOf(PolyaxonDocument child)
    {
        try
        {
            return JobCompiler.Resolve(child).Component.Run.Kind;
        }
        catch (ConfigException)
        {
            return "job";
        }
    }

    private JobGlobals Globals(JobRequest request, string uuid, string name, DateTimeOffset now)
    {
        var artifacts = _executor.ArtifactsPath(request.Agent);
        return new JobGlobals(uuid, name, request.Project, JobRunner.Owner, request.Username, now, Path.GetDirectoryName(artifacts.TrimEnd('/')) ?? artifacts, artifacts);
    }

    private string ResolvedSpec(DagPlanned plan) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["name"] = plan.Name,
        ["inputs"] = plan.Inputs,
        ["run"] = new Dictionary<string, object?>
        {
            ["kind"] = "dag",
            ["concurrency"] = plan.Dag.Concurrency,
            ["operations"] = plan.Order.Select(o => new Dictionary<string, object?>
            {
                ["name"] = o.Name,
                ["upstream"] = DagPlan.Upstream(o),
                ["trigger"] = PolyaxonTriggerName(o.Trigger),
            }).ToList(),
        },
        ["executor"] = _executor.Name,
    });

    /// <summary>An operation as a file of its own: its <c>dagRef</c> replaced by the DAG's component it names.</summary>
    private static PolyaxonDocument Child(OperationSpec op, DagRunSpec dag, string file) =>
        new(null, op.DagRef is { } reference ? op with { DagRef = null, Component = dag.Components.First(c => c.Name == reference) } : op, file);

    /// <summary>How an operation ended, with what its downstream may read of it (null when it never ran).</summary>
    private sealed record Ended(string Uuid, JobStatus Status, string? Message, RefSource? Source);
}

/// <summary>A DAG read and checked: its name, inputs, the operations in an order they may run, and each as a file.</summary>
internal sealed record DagPlanned(
    string Name,
    DagRunSpec Dag,
    IReadOnlyDictionary<string, object?> Inputs,
    IReadOnlyList<OperationSpec> Order,
    IReadOnlyDictionary<string, PolyaxonDocument> Children);
