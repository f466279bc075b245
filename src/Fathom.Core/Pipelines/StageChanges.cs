using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// Why a stage must run, decided from <c>dvc.lock</c> in DVC's order: command, then deps and params (skipped for
/// frozen stages), then outs. Reasons read like <c>dvc status</c>: "changed command", "changed deps: data modified".
/// </summary>
internal static class StageChanges
{
    private const string OutsPrefix = "changed outs: ";

    public static List<string> Evaluate(StageSnapshot now, LockEntry? locked, ObjectCache cache)
    {
        var stage = now.Stage;
        var reasons = new List<string>();
        if (locked is null)
        {
            reasons.Add("never ran (no entry in dvc.lock)");
            return reasons;
        }

        if (!locked.Cmd.SequenceEqual(stage.Cmd, StringComparer.Ordinal))
        {
            reasons.Add("changed command");
        }

        if (!stage.Frozen)
        {
            if (stage.AlwaysChanged || (stage.Deps.Count == 0 && stage.Outs.Count == 0))
            {
                reasons.Add("always changed");
            }

            foreach (var (path, hash) in now.Deps)
            {
                var entry = locked.Deps.FirstOrDefault(d => d.Path == path);
                if (hash is null)
                {
                    reasons.Add($"changed deps: {path} deleted");
                }
                else if (entry?.Md5 != hash.Md5)
                {
                    reasons.Add($"changed deps: {path} modified");
                }
            }

            ParamChanges(now, locked, reasons);
        }

        foreach (var output in stage.Outs)
        {
            var hash = now.Outs[output.Path];
            var entry = locked.Outs.FirstOrDefault(o => o.Path == output.Path);
            if (hash is null)
            {
                reasons.Add($"{OutsPrefix}{output.Path} deleted");
            }
            else if (entry?.Md5 != hash.Md5)
            {
                reasons.Add($"{OutsPrefix}{output.Path} modified");
            }
            else if (output.Cache && !InCache(cache, hash.Md5))
            {
                reasons.Add($"{OutsPrefix}{output.Path} not in cache");
            }
        }

        return reasons;
    }

    /// <summary>Whether the only reasons are changed outs: the command, deps and params are as <c>dvc.lock</c> records them.</summary>
    public static bool OnlyOuts(IReadOnlyList<string> reasons) =>
        reasons.Count > 0 && reasons.All(r => r.StartsWith(OutsPrefix, StringComparison.Ordinal));

    private static void ParamChanges(StageSnapshot now, LockEntry locked, List<string> reasons)
    {
        foreach (var (file, values) in now.Params)
        {
            var old = locked.Params.FirstOrDefault(p => p.Key == file).Value ?? [];
            foreach (var (key, value) in values)
            {
                var match = old.FirstOrDefault(o => o.Key == key);
                if (match.Key is null)
                {
                    reasons.Add($"changed params: {file}: {key} new");
                }
                else if (!PipelineValues.PythonEquals(match.Value, value))
                {
                    reasons.Add($"changed params: {file}: {key} modified");
                }
            }

            foreach (var (key, _) in old.Where(o => values.All(v => v.Key != o.Key)))
            {
                // A key of a wholly tracked file that disappeared; named keys that disappeared are errors already.
                if (now.Stage.Params.Any(p => p.File == file && p.Keys is null))
                {
                    reasons.Add($"changed params: {file}: {key} deleted");
                }
            }
        }
    }

    /// <summary>True when an object (and, for a folder, every file it lists) is in the cache.</summary>
    public static bool InCache(ObjectCache cache, string md5)
    {
        if (!cache.Contains(md5))
        {
            return false;
        }

        return !md5.EndsWith(".dir", StringComparison.Ordinal) || cache.ReadManifest(md5).All(e => cache.Contains(e.Md5));
    }
}
