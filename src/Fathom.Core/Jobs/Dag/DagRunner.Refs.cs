using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>What a run offers the params that <c>ref</c> it: its inputs, its outputs and its globals.</summary>
internal sealed record RefSource(
    IReadOnlyDictionary<string, object?> Inputs,
    IReadOnlyDictionary<string, object?> Outputs,
    IReadOnlyDictionary<string, object?> Globals);

internal sealed partial class DagRunner
{
    /// <summary>
    /// Polyaxon's param refs in a DAG (§7.1 of the spec): <c>{ref: ops.NAME, value: outputs.X | inputs.X | globals.X}</c>
    /// reads an upstream operation's run, <c>{ref: dag, value: inputs.X | globals.X}</c> the DAG's own. Checked before
    /// anything runs, so a misspelt path fails with the file and line, not after the upstream has run for an hour.
    /// </summary>
    private static IEnumerable<string> CheckRefs(OperationSpec op)
    {
        foreach (var (name, param) in op.Params)
        {
            if (param.Ref is not { } reference)
            {
                continue;
            }

            var where = $"{param.Source}: operations.{op.Name}.params.{name}";
            if (reference.StartsWith("runs.", StringComparison.Ordinal))
            {
                yield return $"{where}: ref '{reference}' reads a run outside this DAG, which Fathom does not resolve; give a value, or make that run an operation of the DAG and use ref: ops.NAME.";
                continue;
            }

            if (reference != "dag" && !reference.StartsWith("ops.", StringComparison.Ordinal))
            {
                yield return $"{where}: ref '{reference}' is not a reference; use ops.NAME (an upstream operation) or dag (this DAG's inputs).";
                continue;
            }

            var path = param.Value is ConfigScalar { Value: string text } ? text : null;
            var allowed = reference == "dag" ? new[] { "inputs.", "globals." } : ["outputs.", "inputs.", "globals."];
            if (path is null || !allowed.Any(a => path.StartsWith(a, StringComparison.Ordinal) && path.Length > a.Length))
            {
                yield return $"{where}: value '{path}' is not what a ref reads; with ref: {reference} use {string.Join(", ", allowed.Select(a => a + "NAME"))}.";
            }
        }
    }

    /// <summary>The values of an operation's params with <c>ref</c>, read from the runs they name.</summary>
    private static Dictionary<string, object?> ResolveRefs(OperationSpec op, IReadOnlyDictionary<string, object?> dagInputs, JobGlobals dagGlobals, IReadOnlyDictionary<string, Ended> done)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, param) in op.Params)
        {
            if (param.Ref is not { } reference)
            {
                continue;
            }

            var path = ((ConfigScalar)param.Value!).Value as string ?? "";
            var where = $"{param.Source}: operations.{op.Name}.params.{name}";
            RefSource source;
            if (reference == "dag")
            {
                source = new RefSource(dagInputs, new Dictionary<string, object?>(), dagGlobals.ToContext(dagGlobals.CreatedAt));
            }
            else
            {
                var upstream = reference["ops.".Length..];
                source = done.GetValueOrDefault(upstream)?.Source
                    ?? throw new ConfigException($"{where}: ops.{upstream} did not succeed ({done.GetValueOrDefault(upstream)?.Status.Name() ?? "not run"}), so it has no {path} to read; give the operation a trigger that waits for success (all_succeeded, the default).");
            }

            var dot = path.IndexOf('.', StringComparison.Ordinal);
            var (kind, key) = (path[..dot], path[(dot + 1)..]);
            var table = kind switch
            {
                "outputs" => source.Outputs,
                "inputs" => source.Inputs,
                _ => source.Globals,
            };
            values[name] = table.TryGetValue(key, out var value)
                ? value
                : throw new ConfigException($"{where}: {reference} has no {kind[..^1]} '{key}'{(table.Count > 0 ? $"; it has {string.Join(", ", table.Keys)}" : "")}.");
        }

        return values;
    }
}
