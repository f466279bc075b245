namespace Fathom.Jobs;

/// <summary>
/// The pure logic of a DAG, as Polyaxon's pipelines apply it: each operation's upstream (explicit dependencies and
/// params referring to <c>ops.NAME</c>), an order that runs upstream first, cycle detection, and what an operation
/// becomes once its upstream are done, from its trigger.
/// </summary>
internal static class DagPlan
{
    /// <summary>The operations <paramref name="op"/> waits for.</summary>
    public static IReadOnlyList<string> Upstream(OperationSpec op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var upstream = new List<string>(op.Dependencies);
        foreach (var param in op.Params.Values)
        {
            if (param.Ref is { } reference && reference.StartsWith("ops.", StringComparison.Ordinal))
            {
                upstream.Add(reference["ops.".Length..]);
            }
        }

        return [.. upstream.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The names on a dependency cycle (first name repeated at the end), or null when there is none.</summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyList<OperationSpec> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var byName = operations.Where(o => o.Name is not null).ToDictionary(o => o.Name!, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        foreach (var op in operations.Where(o => o.Name is not null))
        {
            if (Visit(op.Name!) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string name)
        {
            if (state.GetValueOrDefault(name) == 2 || !byName.TryGetValue(name, out var op))
            {
                return null;
            }

            if (state.GetValueOrDefault(name) == 1)
            {
                return [.. path[path.IndexOf(name)..], name];
            }

            state[name] = 1;
            path.Add(name);
            foreach (var upstream in Upstream(op))
            {
                if (Visit(upstream) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            return null;
        }
    }

    /// <summary>The operations in an order where each comes after its upstream (ties keep the file's order).</summary>
    public static IReadOnlyList<OperationSpec> Order(IReadOnlyList<OperationSpec> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<OperationSpec>();
        var pending = operations.ToList();
        while (pending.Count > 0)
        {
            var next = pending.FirstOrDefault(o => Upstream(o).All(done.Contains))
                ?? throw new InvalidOperationException("The DAG has a cycle; DagChecks refuses it when the file is read.");
            pending.Remove(next);
            ordered.Add(next);
            done.Add(next.Name ?? "");
        }

        return ordered;
    }

    /// <summary>
    /// Whether an operation runs once its upstream ended with <paramref name="upstream"/>: null to run it, else the
    /// status it takes instead (<c>upstream_failed</c> when its trigger waited for successes and an upstream failed,
    /// <c>skipped</c> otherwise). With <c>skipOnUpstreamSkip</c>, a skipped upstream skips it.
    /// </summary>
    public static JobStatus? Decide(DagTrigger trigger, IReadOnlyList<JobStatus> upstream, bool skipOnUpstreamSkip)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (upstream.Count == 0)
        {
            return null;
        }

        if (skipOnUpstreamSkip && upstream.Contains(JobStatus.Skipped))
        {
            return JobStatus.Skipped;
        }

        var failed = upstream.Count(s => s is JobStatus.Failed or JobStatus.UpstreamFailed);
        var succeeded = upstream.Count(s => s == JobStatus.Succeeded);
        var met = trigger switch
        {
            DagTrigger.AllSucceeded => succeeded == upstream.Count,
            DagTrigger.AllFailed => failed == upstream.Count,
            DagTrigger.AllDone => true,
            DagTrigger.OneSucceeded => succeeded > 0,
            DagTrigger.OneFailed => failed > 0,
            DagTrigger.OneDone => true,
            _ => false,
        };
        if (met)
        {
            return null;
        }

        return failed > 0 && trigger is DagTrigger.AllSucceeded or DagTrigger.OneSucceeded ? JobStatus.UpstreamFailed : JobStatus.Skipped;
    }
}
