namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc add</c>: hashes each path, stores its content in the cache, writes <c>&lt;path&gt;.dvc</c> next to it and
    /// adds <c>/&lt;name&gt;</c> to the sibling <c>.gitignore</c>.
    /// </summary>
    public AddResult Add(IReadOnlyList<string> paths, string baseDirectory, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new DataException(DataErrorKind.InvalidInput, "Nothing to add: name at least one file or folder.");
        }

        // The .dvc file, the .gitignore and (with link cache types) the links are written beside each path: it must be
        // where an output may be, as the path in the .dvc file written next will be checked on every later read.
        var fullPaths = paths.Select(p => Repository.Paths.Confine(p.TrimEnd(Path.DirectorySeparatorChar), baseDirectory) is { Refusal: { } refusal }
            ? throw new DataException(DataErrorKind.InvalidInput, IsRoot(p, baseDirectory)
                ? $"'{p}' is the whole repository, which cannot be tracked as one item: add the data files or folders inside it, e.g. `fathom data add data/raw`."
                : $"'{p}' {refusal} (at '{Repository.Root}'); it cannot be added.")
            : Path.GetFullPath(p, baseDirectory).TrimEnd(Path.DirectorySeparatorChar)).ToList();
        foreach (var full in fullPaths)
        {
            var relative = Repository.Relative(full);

            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw new DataException(DataErrorKind.NotFound, $"'{relative}' does not exist.");
            }

            if (Repository.Ignore.IsIgnoredWithParents(relative, Directory.Exists(full)))
            {
                throw new DataException(DataErrorKind.InvalidInput, $"'{relative}' is ignored by .dvcignore (or is DVC's own folder) and cannot be added.");
            }

            if (full.EndsWith(".dvc", StringComparison.Ordinal))
            {
                throw new DataException(DataErrorKind.InvalidInput, $"'{relative}' is a DVC metafile; add the data it describes instead.");
            }
        }

        var saved = new List<SavedOutput>();
        var gitignores = new SortedSet<string>(StringComparer.Ordinal);
        using var stat = Repository.OpenStatCache();
        var hasher = Hasher(stat);
        foreach (var full in fullPaths)
        {
            var hash = hasher.Hash(full, Repository.Cache, progress, cancellationToken);
            var name = Path.GetFileName(full);
            var dvcPath = full + ".dvc";
            var file = Updated(dvcPath, full, hash, hasher, cancellationToken) ?? new DvcFile([DvcOutput.From(name, hash.Hash, hash.IsExecutable)]);
            var changed = WriteDvcFile(dvcPath, file);
            saved.Add(new SavedOutput(Repository.Relative(dvcPath), Repository.Relative(full), hash.Hash, changed));
            if (!Repository.NoScm && AddToGitignore(Path.GetDirectoryName(full)!, name) is { } gitignore)
            {
                gitignores.Add(Repository.Relative(gitignore));
            }

            RelinkIfLinked(full, hash, stat);
        }

        return new AddResult(saved, gitignores.ToList());
    }

    /// <summary>
    /// Adding a path again updates its existing <c>.dvc</c> file, as DVC reloads the stage: only the hash and meta
    /// change, and <c>desc</c>, <c>meta</c>, <c>remote</c>, <c>push</c> and the rest stay as written.
    /// </summary>
    private DvcFile? Updated(string dvcPath, string full, OutputHash hash, WorkspaceHasher hasher, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(full);
        if (!File.Exists(dvcPath))
        {
            return null;
        }

        DvcFile existing;
        try
        {
            existing = Repository.ReadDvcFile(dvcPath);
        }
        catch (DvcFormatException)
        {
            // DVC overwrites a broken metafile on add as well; there is nothing in it worth keeping.
            return null;
        }

        if (existing.Outs.Count != 1 || existing.Outs[0].Path != name || !string.IsNullOrEmpty(existing.WorkingDirectory))
        {
            return null;
        }

        // Unchanged data under a 2.x entry keeps that entry, as DVC 3 does.
        if (existing.Outs[0] is { IsLegacy: true, Md5: { } legacyMd5 } && hasher.Hash(full, null, null, legacy: true, cancellationToken).Hash.Md5 == legacyMd5)
        {
            return existing;
        }

        var fresh = DvcOutput.From(name, hash.Hash, hash.IsExecutable);
        var output = existing.Outs[0] with { Md5 = fresh.Md5, Size = fresh.Size, FileCount = fresh.FileCount, IsExecutable = fresh.IsExecutable, HashName = fresh.HashName };
        return existing with { Outs = [output] };
    }

    /// <summary>Writes the <c>.dvc</c> file unless it already says exactly this; true when it changed.</summary>
    private static bool WriteDvcFile(string path, DvcFile file)
    {
        var text = DvcFileFormat.Format(file);
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return false;
        }

        AtomicFile.WriteAllText(path, text);
        return true;
    }

    /// <summary>Adds <c>/name</c> to the <c>.gitignore</c> in <paramref name="folder"/>, as DVC does; returns the file when it changed.</summary>
    private static string? AddToGitignore(string folder, string name)
    {
        var path = Path.Combine(folder, ".gitignore");
        var entry = "/" + name;
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        if (existing.Split('\n').Any(l => l.TrimEnd('\r') == entry))
        {
            return null;
        }

        var prefix = existing.Length > 0 && !existing.EndsWith('\n') ? "\n" : "";
        AtomicFile.WriteAllText(path, existing + prefix + entry + "\n");
        return path;
    }

    /// <summary>With hardlink or symlink configured first, the workspace files become links to the cache, as DVC leaves them after add.</summary>
    private void RelinkIfLinked(string full, OutputHash hash, StatCache stat)
    {
        var linker = Repository.Linker();
        if (!linker.PrefersLinks)
        {
            return;
        }

        // The hash walked into linked folders; replacing files there with links would write outside the repository.
        foreach (var file in hash.Files)
        {
            if (Repository.Paths.LinkRefusal(file.FullPath, includeFinal: false) is { } refusal)
            {
                throw new DataException(DataErrorKind.InvalidInput, $"'{Repository.Relative(file.FullPath)}' {refusal}: it was hashed and cached but not replaced by a link to the cache. Replace the link with a folder.");
            }
        }

        foreach (var file in hash.Files)
        {
            linker.Place(Repository.Cache.PathOf(file.Md5), file.FullPath, hash.IsExecutable);
            Remember(stat, file.FullPath, file.Md5);
        }
    }

    /// <summary>Records a file just written from the cache in the stat cache, so the next status need not hash it.</summary>
    private void Remember(StatCache stat, string fullPath, string md5)
    {
        var info = new FileInfo(fullPath);
        stat.Set(Repository.Relative(fullPath), info.Length, info.LastWriteTimeUtc.Ticks, md5);
    }

    private bool IsRoot(string path, string baseDirectory) =>
        !path.Contains('\0', StringComparison.Ordinal) && Path.GetFullPath(path, baseDirectory).TrimEnd(Path.DirectorySeparatorChar) == Repository.Root;
}
