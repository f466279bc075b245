using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// What a stage's inputs and outputs look like right now, measured the way they are recorded in <c>dvc.lock</c>:
/// dep hashes (null when missing), params values (file → key → value) and out hashes (null when missing).
/// </summary>
internal sealed class StageSnapshot
{
    private StageSnapshot(PipelineStage stage)
    {
        Stage = stage;
    }

    public PipelineStage Stage { get; }

    public Dictionary<string, ContentHash?> Deps { get; } = new(StringComparer.Ordinal);

    public List<KeyValuePair<string, IReadOnlyList<KeyValuePair<string, object?>>>> Params { get; } = [];

    /// <summary>Params keys a stage names that its file lacks, as "file: key".</summary>
    public List<string> MissingParams { get; } = [];

    public Dictionary<string, ContentHash?> Outs { get; } = new(StringComparer.Ordinal);

    /// <summary>Deps and outs that are executable files (DVC records them with <c>isexec: true</c>).</summary>
    public HashSet<string> Executables { get; } = new(StringComparer.Ordinal);

    /// <summary>Hashes deps (and, unless <paramref name="withOuts"/> is false, outs) through the stat cache, and reads params.</summary>
    public static StageSnapshot Take(PipelineStage stage, WorkspaceHasher hasher, bool withOuts, CancellationToken cancellationToken)
    {
        var snapshot = new StageSnapshot(stage);
        foreach (var dep in stage.Deps)
        {
            snapshot.Deps[dep] = snapshot.Hash(hasher, dep, null, cancellationToken);
        }

        snapshot.ReadParams();
        if (withOuts)
        {
            foreach (var output in stage.Outs)
            {
                snapshot.Outs[output.Path] = snapshot.Hash(hasher, output.Path, null, cancellationToken);
            }
        }

        return snapshot;
    }

    /// <summary>Hashes one dep or out (null when missing) and notes whether it is an executable file.</summary>
    public ContentHash? Hash(WorkspaceHasher hasher, string path, ObjectCache? saveTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var full = Stage.FullPath(path);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            return null;
        }

        var hash = hasher.Hash(full, saveTo, null, cancellationToken);
        if (hash.IsExecutable && !hash.Hash.IsDirectory)
        {
            Executables.Add(path);
        }

        return hash.Hash;
    }

    public static ContentHash? HashOrNull(WorkspaceHasher hasher, string fullPath, ObjectCache? saveTo, CancellationToken cancellationToken) =>
        File.Exists(fullPath) || Directory.Exists(fullPath) ? hasher.Hash(fullPath, saveTo, null, cancellationToken).Hash : null;

    // DVC's _serialize_params_values: files sorted with params.yaml first, keys sorted, whole files as all top-level keys.
    private void ReadParams()
    {
        foreach (var dep in Stage.Params.OrderBy(p => p.File == ParamsFiles.Default ? 0 : 1).ThenBy(p => p.File, StringComparer.Ordinal))
        {
            var full = Stage.FullPath(dep.File);
            if (!File.Exists(full))
            {
                MissingParams.Add($"{dep.File} (the file does not exist)");
                continue;
            }

            var values = ParamsFiles.Load(full, dep.File);
            var keys = dep.Keys ?? values.Keys.ToList();
            var entries = new List<KeyValuePair<string, object?>>();
            foreach (var key in keys.Distinct().Order(StringComparer.Ordinal))
            {
                if (PipelineValues.TryGetPath(values, key, out var value))
                {
                    entries.Add(new(key, value));
                }
                else
                {
                    MissingParams.Add($"{dep.File}: {key}");
                }
            }

            if (entries.Count > 0)
            {
                Params.Add(new(dep.File, entries));
            }
        }
    }

    /// <summary>The lock entry these measurements make (outs must have been hashed).</summary>
    public LockEntry ToLockEntry() => new(
        Stage.Cmd,
        Stage.CmdIsList,
        Stage.Deps.Order(StringComparer.Ordinal).Select(d => Locked(d, Deps[d])).ToList(),
        Params,
        Stage.Outs.Select(o => o.Path).Order(StringComparer.Ordinal).Select(o => Locked(o, Outs[o])).ToList());

    private LockedFile Locked(string path, ContentHash? hash) =>
        new(path, hash?.Md5, hash?.Size, hash is { IsDirectory: true } ? hash.FileCount : null, IsExecutable: hash is not null && Executables.Contains(path));
}
