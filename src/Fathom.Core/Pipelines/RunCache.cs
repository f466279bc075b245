using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// DVC's run cache (<c>dvc/stage/cache.py</c>), shared with DVC: <c>&lt;cache&gt;/runs/&lt;key[:2]&gt;/&lt;key&gt;/&lt;value&gt;</c>,
/// named as <see cref="RunCacheKey"/> says, each file the YAML of one finished run's lock entry. A changed stage whose
/// inputs match a recorded run gets its outputs checked out from the object cache instead of running again.
/// </summary>
internal sealed class RunCache(ObjectCache cache)
{
    private readonly string _root = Path.Combine(cache.Root, "runs");

    /// <summary>
    /// DVC's <c>_can_hash</c>: a command, deps and outs, not always changed, no persistent out. Outs with
    /// <c>cache: false</c> take part: their content is committed to the object cache when the run is recorded.
    /// </summary>
    public static bool CanHash(PipelineStage stage) =>
        stage.Deps.Count > 0 && stage.Outs.Count > 0 && !stage.AlwaysChanged && stage.Outs.All(o => !o.Persist);

    /// <summary>
    /// Whether a finished run is recorded (DVC's <c>Stage.run</c>: <c>run_cache=not no_cache_outs</c>): a plain out with
    /// <c>cache: false</c> keeps the stage's runs out; uncached metrics and plots do not, they go to the object cache.
    /// </summary>
    public static bool Records(PipelineStage stage) =>
        CanHash(stage) && stage.Outs.All(o => o.Cache || o.Kind != StageOutputKind.Out);

    /// <summary>
    /// The newest run recorded for these inputs (by modification time, as DVC's <c>_load</c> picks it), if all its
    /// outputs are in the object cache; else null, and the stage runs.
    /// </summary>
    public LockEntry? Find(LockEntry inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var folder = FolderOf(RunCacheKey.Key(inputs));
        if (!Directory.Exists(folder))
        {
            return null;
        }

        // Temporary files (DVC's ".<uuid>.tmp", ours ".<name>.<pid>-<tag>.fathom.tmp") start with a dot.
        var newest = new DirectoryInfo(folder).EnumerateFiles().Where(f => !f.Name.StartsWith('.')).MaxBy(f => f.LastWriteTimeUtc);
        if (newest is null)
        {
            return null;
        }

        LockEntry entry;
        try
        {
            entry = LockFileFormat.ParseEntry(File.ReadAllText(newest.FullName), newest.FullName);
        }
        catch (FormatException)
        {
            return null;
        }

        // A run of this stage records exactly its outs; an entry naming other paths is not one (the key holds the out
        // paths, but the file under it is data like any other), and its paths are never written.
        var sameOuts = entry.Outs.Select(o => o.Path).Order(StringComparer.Ordinal).SequenceEqual(inputs.Outs.Select(o => o.Path).Order(StringComparer.Ordinal));
        return sameOuts && AllCached(entry) ? entry : null;
    }

    /// <summary>DVC's <c>outs_cached</c> for a recorded run: every out (uncached ones too) has its objects in the cache.</summary>
    public bool AllCached(LockEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Outs.All(o => o.Md5 is { } md5 && StageChanges.InCache(cache, md5));
    }

    /// <summary>Records a finished run, unless that very run (same value) is recorded already.</summary>
    public void Save(LockEntry entry)
    {
        var folder = FolderOf(RunCacheKey.Key(entry));
        var path = Path.Combine(folder, RunCacheKey.Value(entry));
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(path, LockFileFormat.FormatEntry(entry));
    }

    private string FolderOf(string key) => Path.Combine(_root, key[..2], key);
}
