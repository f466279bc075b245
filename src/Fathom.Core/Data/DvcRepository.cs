using Fathom.Storage;

namespace Fathom.Data;

/// <summary>
/// A DVC repository on disk: the folder holding <c>.dvc/</c>, its config, cache and ignore rules. Found by walking up
/// from the current folder, as DVC does.
/// </summary>
internal sealed class DvcRepository
{
    /// <summary>What <c>dvc init</c> writes into <c>.dvcignore</c>.</summary>
    public const string DvcIgnoreTemplate = "# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n";

    /// <summary>What <c>dvc init</c> writes into <c>.dvc/.gitignore</c>.</summary>
    public const string DvcGitignore = "/config.local\n/tmp\n/cache\n";

    private IReadOnlyList<string>? _metafiles;

    private DvcRepository(string root)
    {
        Root = root;
        DvcFolder = Path.Combine(root, ".dvc");
        Config = DvcConfig.Load(ConfigPath);
        var cacheDir = Config.Get("cache", "dir");
        // Relative cache.dir is relative to .dvc/, like every path in DVC's config.
        Cache = new ObjectCache(cacheDir is null ? Path.Combine(DvcFolder, "cache") : Path.GetFullPath(cacheDir, DvcFolder));
        LegacyCache = ObjectCache.Legacy(Cache.Root);
        Ignore = DvcIgnore.Load(root);
        Paths = new PathConfinement(root, "the repository");
    }

    public string Root { get; }

    /// <summary>Where paths from data may go: inside the root, never in <c>.git</c> or <c>.dvc</c>, never through a link out.</summary>
    public PathConfinement Paths { get; }

    public string DvcFolder { get; }

    public string ConfigPath => Path.Combine(DvcFolder, "config");

    public DvcConfig Config { get; }

    public ObjectCache Cache { get; }

    /// <summary>The same cache folder in DVC 2.x's layout, holding the objects of legacy entries (no <c>hash: md5</c>).</summary>
    public ObjectCache LegacyCache { get; }

    /// <summary>Where an output's objects live: 2.x entries in the legacy layout, as DVC 3 reads them.</summary>
    public ObjectCache CacheFor(DvcOutput output) => output is { IsLegacy: true } ? LegacyCache : Cache;

    public DvcIgnore Ignore { get; }

    public bool NoScm => string.Equals(Config.Get("core", "no_scm"), "true", StringComparison.OrdinalIgnoreCase);

    public static DvcRepository Discover(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".dvc")))
            {
                return new DvcRepository(dir.FullName);
            }
        }

        throw new DataException(DataErrorKind.NotFound, $"'{start}' is not inside a DVC repository (no .dvc folder here or above); run 'fathom data init' first.");
    }

    /// <summary>Creates <c>.dvc/</c> (config, .gitignore, tmp) and <c>.dvcignore</c> as <c>dvc init</c> does.</summary>
    public static DvcRepository Init(string folder, bool force)
    {
        var root = Path.GetFullPath(folder);
        var dvc = Path.Combine(root, ".dvc");
        if (Directory.Exists(dvc) && !force)
        {
            throw new DataException(DataErrorKind.InvalidInput, $"'{dvc}' exists already; use --force to initialise again.");
        }

        Directory.CreateDirectory(dvc);
        Directory.CreateDirectory(Path.Combine(dvc, "tmp"));
        WriteIfMissing(Path.Combine(dvc, "config"), "", force);
        WriteIfMissing(Path.Combine(dvc, ".gitignore"), DvcGitignore, force);
        WriteIfMissing(Path.Combine(root, DvcIgnore.FileName), DvcIgnoreTemplate, overwrite: false);
        return new DvcRepository(root);
    }

    public StatCache OpenStatCache() => StatCache.Open(Path.Combine(DvcFolder, "tmp", "fathom-state.bin"));

    public WorkspaceLinker Linker() => new(WorkspaceLinker.ParseTypes(Config.Get("cache", "type")));

    /// <summary>A path as DVC shows it: relative to the repository root with '/' separators.</summary>
    public string Relative(string fullPath)
    {
        var relative = Path.GetRelativePath(Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
        return relative == "." ? "" : relative;
    }

    /// <summary>Every <c>.dvc</c> file in the workspace, skipping ignored folders (and so <c>.dvc/</c> and <c>.git/</c>).</summary>
    public IReadOnlyList<string> FindDvcFiles() =>
        _metafiles is { } found ? found.Where(f => IsDvcFile(Path.GetFileName(f))).ToList() : FindFiles(Root, IsDvcFile);

    /// <summary>Every <c>dvc.yaml</c> under <paramref name="folder"/> (see <see cref="FindFiles"/>).</summary>
    public IReadOnlyList<string> FindPipelineFiles(string folder)
    {
        var full = Path.GetFullPath(folder);
        return _metafiles is { } found && full == Root
            ? found.Where(f => Path.GetFileName(f) == Pipelines.PipelineParser.FileName).ToList()
            : FindFiles(full, name => name == Pipelines.PipelineParser.FileName);
    }

    /// <summary>
    /// Walks the repository once for both <c>.dvc</c> files and <c>dvc.yaml</c> files and answers the next
    /// <see cref="FindDvcFiles"/> and <see cref="FindPipelineFiles"/> of the whole repository from that walk: for a
    /// command that reads both (<c>fathom status</c>), so it walks the folders once instead of twice.
    /// </summary>
    public void FindMetafilesInOneWalk() =>
        _metafiles = FindFiles(Root, name => IsDvcFile(name) || name == Pipelines.PipelineParser.FileName);

    private static bool IsDvcFile(string name) => name.EndsWith(".dvc", StringComparison.Ordinal) && name.Length > 4;

    /// <summary>
    /// The full paths, sorted, of the files under <paramref name="folder"/> whose name passes <paramref name="match"/>,
    /// walking only folders DVC's index walks: not ignored (<c>.dvcignore</c>, <c>.git/</c>, <c>.dvc/</c>), not tracked
    /// by a <c>.dvc</c> file and not a nested repository.
    /// </summary>
    public IReadOnlyList<string> FindFiles(string folder, Func<string, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var found = new List<string>();
        var leftovers = new List<string>();
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(folder));
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            var entries = new DirectoryInfo(dir).GetFileSystemInfos();
            var names = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var isDir = entry is DirectoryInfo && !entry.Attributes.HasFlag(FileAttributes.ReparsePoint);
                if (!isDir && AtomicFile.IsTemporary(entry.Name))
                {
                    // An interrupted write of a .dvc file, .gitignore or dvc.lock: removed once its writer is gone.
                    leftovers.Add(entry.FullName);
                    continue;
                }

                if (Ignore.IsIgnored(Relative(entry.FullName), isDir))
                {
                    continue;
                }

                if (isDir)
                {
                    // A tracked folder holds data, not metafiles; a nested DVC repository is someone else's (DVC skips subrepos).
                    if (!names.Contains(entry.Name + ".dvc") && !Directory.Exists(Path.Combine(entry.FullName, ".dvc")))
                    {
                        pending.Push(entry.FullName);
                    }
                }
                else if (match(entry.Name))
                {
                    found.Add(entry.FullName);
                }
            }
        }

        AtomicFile.RemoveLeftovers(leftovers);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    public DvcFile ReadDvcFile(string path) => DvcFileFormat.Parse(File.ReadAllText(path), Relative(path));

    private static void WriteIfMissing(string path, string text, bool overwrite)
    {
        if (overwrite || !File.Exists(path))
        {
            AtomicFile.WriteAllText(path, text);
        }
    }
}
