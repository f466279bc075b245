using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// What a DAG's operations must satisfy before anything runs: unique names, dependencies (explicit, and implicit through
/// params with <c>ref: ops.NAME</c>) naming operations of the DAG, no cycle, and <c>dagRef</c> naming a component of it.
/// </summary>
internal static class DagChecks
{
    public static void Check(SpecReader reader, ConfigMap dag, string path, IReadOnlyList<OperationSpec> operations, IReadOnlyList<ComponentSpec> components)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in operations)
        {
            if (op.Name is null)
            {
                reader.Error(op.Source, SpecReader.Join(path, "operations"), "every operation of a DAG needs a name.");
            }
            else if (!names.Add(op.Name))
            {
                reader.Error(op.Source, SpecReader.Join(path, "operations"), $"two operations are named '{op.Name}'.");
            }
        }

        foreach (var op in operations)
        {
            foreach (var upstream in DagPlan.Upstream(op))
            {
                if (!names.Contains(upstream))
                {
                    reader.Error(op.Source, $"{path}.operations.{op.Name}", $"depends on '{upstream}', which is not an operation of this DAG{Nearest(upstream, names)}.");
                }
            }

            if (op.DagRef is { } reference && !components.Any(c => c.Name == reference))
            {
                reader.Error(op.Source, $"{path}.operations.{op.Name}.dagRef", $"'{reference}' names no component of run.components{Nearest(reference, components.Select(c => c.Name ?? ""))}.");
            }
        }

        if (!reader.HasErrors && DagPlan.FindCycle(operations) is { } cycle)
        {
            // Where the cycle starts: the line of its first operation, which the user edits to break it.
            var first = operations.First(o => o.Name == cycle[0]);
            reader.Error(first.Source, SpecReader.Join(path, "operations"), $"the dependencies form a cycle: {string.Join(" -> ", cycle.Select(n => $"'{n}'"))}.");
        }
    }

    private static string Nearest(string name, IEnumerable<string> names) =>
        ConfigBinder.Nearest(name, names) is { } nearest ? $" (did you mean '{nearest}'?)" : "";
}
