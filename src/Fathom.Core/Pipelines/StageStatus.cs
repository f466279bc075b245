using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// <c>dvc status</c> for one pipeline stage, in DVC's shape and order (<c>Stage.status</c>): <c>{"changed deps": {path:
/// state, params file: {key: state}}}</c> (not for frozen stages), <c>{"changed outs": {path: state}}</c>,
/// <c>"always changed"</c>, <c>"changed command"</c>. States are DVC's: deleted, modified, new, not in cache.
/// Paths are shown by <c>display</c> (DVC prints them relative to the current folder).
/// </summary>
internal static class StageStatus
{
    public const string ChangedDeps = "changed deps";
    public const string ChangedOuts = "changed outs";
    public const string AlwaysChanged = "always changed";
    public const string ChangedCommand = "changed command";

    /// <summary>The stage's status entries; empty when it is up to date.</summary>
    public static List<object> Evaluate(PipelineStage stage, LockEntry? locked, WorkspaceHasher hasher, ObjectCache cache, Func<string, string> display, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(display);
        var entries = new List<object>();
        if (!stage.Frozen)
        {
            var deps = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var dep in stage.Deps)
            {
                var full = stage.FullPath(dep);
                var recorded = locked?.Deps.FirstOrDefault(d => d.Path == dep)?.Md5;
                var now = StageSnapshot.HashOrNull(hasher, full, null, cancellationToken);
                if (now is null)
                {
                    deps[display(full)] = "deleted";
                }
                else if (now.Md5 != recorded)
                {
                    deps[display(full)] = "modified";
                }
            }

            foreach (var dep in stage.Params)
            {
                if (ParamsState(stage, dep, locked) is { } state)
                {
                    deps[display(stage.FullPath(dep.File))] = state;
                }
            }

            if (deps.Count > 0)
            {
                entries.Add(new Dictionary<string, object> { [ChangedDeps] = deps });
            }
        }

        var outs = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var output in stage.Outs)
        {
            var full = stage.FullPath(output.Path);
            var recorded = locked?.Outs.FirstOrDefault(o => o.Path == output.Path)?.Md5;
            // DVC checks the cache first: a recorded, cached output whose objects are gone is "not in cache" even if deleted.
            if (recorded is not null && output.Cache && !StageChanges.InCache(cache, recorded))
            {
                outs[display(full)] = "not in cache";
                continue;
            }

            var now = StageSnapshot.HashOrNull(hasher, full, null, cancellationToken);
            if (now is null)
            {
                outs[display(full)] = "deleted";
            }
            else if (now.Md5 != recorded)
            {
                outs[display(full)] = "modified";
            }
        }

        if (outs.Count > 0)
        {
            entries.Add(new Dictionary<string, object> { [ChangedOuts] = outs });
        }

        if (stage.AlwaysChanged || (stage.Deps.Count == 0 && stage.Params.Count == 0 && stage.Outs.Count == 0))
        {
            entries.Add(AlwaysChanged);
        }

        if (locked is not null && !locked.Cmd.SequenceEqual(stage.Cmd, StringComparer.Ordinal))
        {
            entries.Add(ChangedCommand);
        }

        return entries;
    }

    // DVC's ParamsDependency.workspace_status: the file deleted, or never recorded ("new"), else a state per key.
    private static object? ParamsState(PipelineStage stage, ParamsDependency dep, LockEntry? locked)
    {
        var full = stage.FullPath(dep.File);
        if (!File.Exists(full))
        {
            return "deleted";
        }

        var recorded = locked?.Params.FirstOrDefault(p => p.Key == dep.File).Value;
        if (recorded is null)
        {
            return "new";
        }

        var values = ParamsFiles.Load(full, dep.File);
        var keys = dep.Keys ?? values.Keys.Concat(recorded.Select(r => r.Key)).Distinct(StringComparer.Ordinal).ToList();
        var states = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var old = recorded.FirstOrDefault(r => r.Key == key);
            if (!PipelineValues.TryGetPath(values, key, out var value))
            {
                states[key] = "deleted";
            }
            else if (old.Key is null)
            {
                states[key] = "new";
            }
            else if (!PipelineValues.PythonEquals(old.Value, value))
            {
                states[key] = "modified";
            }
        }

        return states.Count > 0 ? states : null;
    }
}
