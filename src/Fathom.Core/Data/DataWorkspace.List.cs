namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc ls</c> of this repository's workspace (dvc/repo/ls.py over DVCFileSystem): the files and folders of the
    /// workspace (less what <c>.dvcignore</c>, <c>.git</c> and <c>.dvc</c> hide) merged with what DVC tracks — the outputs of
    /// <c>.dvc</c> files and the cached outs of <c>dvc.lock</c>, tracked folders expanded from their cached <c>.dir</c>
    /// manifests. Size and type come from the workspace where the path exists there, else from the metafile; md5 from the
    /// metafile or manifest. <paramref name="path"/> is relative to the repository root; one file lists itself. Without
    /// <paramref name="recursive"/> one level (files and folders); with it, files at every depth, or down to
    /// <paramref name="maxDepth"/> levels, the deepest listing its folders too. Sorted by path, as DVC sorts them.
    /// </summary>
    public IReadOnlyList<LsEntry> List(string? path, bool recursive, bool dvcOnly, int? maxDepth)
    {
        var index = new TrackedIndex(this);
        var start = (path ?? "").Replace('\\', '/').Trim('/');
        start = start is "." ? "" : start;
        var top = Info(start, index, dvcOnly)
            ?? throw new FileNotFoundException($"[Errno 2] No such file or directory: '{start}'", start);
        var entries = new List<LsEntry>();
        var depth = recursive ? maxDepth : null;
        if (depth == 0 || !top.IsDir)
        {
            entries.Add(top with { Path = start.Length == 0 ? "." : start[(start.LastIndexOf('/') + 1)..] });
            return entries;
        }

        Walk(start, "", 0);
        return entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();

        void Walk(string key, string shown, int level)
        {
            var withFolders = !recursive || (depth is > 0 && level >= depth - 1);
            foreach (var name in Children(key, index, dvcOnly))
            {
                var childKey = key.Length == 0 ? name : $"{key}/{name}";
                if (Info(childKey, index, dvcOnly) is not { } info)
                {
                    continue;
                }

                var childShown = shown.Length == 0 ? name : $"{shown}/{name}";
                if (!info.IsDir || withFolders)
                {
                    entries.Add(info with { Path = childShown });
                }

                if (info.IsDir && recursive && !withFolders)
                {
                    Walk(childKey, childShown, level + 1);
                }
            }
        }
    }

    /// <summary>One path as DVC's <c>_merge_info</c> sees it: the workspace's type, size and exec bit win over the metafile's.</summary>
    private LsEntry? Info(string key, TrackedIndex index, bool dvcOnly)
    {
        // The repository root is always there, as a folder (also for --dvc-only, which sees no workspace).
        var tracked = key.Length == 0 ? new Node(true, 0, null) : index.Nodes.GetValueOrDefault(key);
        var full = key.Length == 0 ? Repository.Root : Path.Combine(Repository.Root, key);
        var isFile = !dvcOnly && !IsHidden(key, isDirectory: false) && File.Exists(full);
        var isDir = !dvcOnly && !isFile && !IsHidden(key, isDirectory: true) && Directory.Exists(full);
        if (!isFile && !isDir)
        {
            return tracked is null ? null : new LsEntry(key.Length > 0 && index.IsOut(key), tracked.IsDir, false, tracked.Size, tracked.Md5, key);
        }

        var executable = isFile && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(full) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        var size = isFile ? new FileInfo(full).Length : UnixStat.Size(full);
        return new LsEntry(key.Length > 0 && tracked is not null && index.IsOut(key), isDir, executable, size, key.Length > 0 ? tracked?.Md5 : null, key);
    }

    /// <summary>The names under a folder: the workspace's (unless <paramref name="dvcOnly"/>) and the tracked ones.</summary>
    private SortedSet<string> Children(string key, TrackedIndex index, bool dvcOnly)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (index.Children.TryGetValue(key, out var tracked))
        {
            names.UnionWith(tracked);
        }

        var full = key.Length == 0 ? Repository.Root : Path.Combine(Repository.Root, key);
        if (!dvcOnly && Directory.Exists(full))
        {
            foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
            {
                names.Add(entry.Name);
            }
        }

        return names;
    }

    /// <summary>What DVC never shows: <c>.git</c>, <c>.hg</c> and <c>.dvc</c> folders, and what <c>.dvcignore</c> ignores.</summary>
    private bool IsHidden(string key, bool isDirectory)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        return key.Length > 0 && ((isDirectory && name is ".git" or ".hg" or ".dvc") || name == ".git" || Repository.Ignore.IsIgnoredWithParents(key, isDirectory));
    }

    /// <summary>DVC's data index of the workspace as <c>ls</c> needs it: every tracked path and folder above or inside one.</summary>
    private sealed class TrackedIndex
    {
        private readonly HashSet<string> _outs = new(StringComparer.Ordinal);

        public TrackedIndex(DataWorkspace workspace)
        {
            foreach (var output in workspace.DataAndPipelineOutputs([], workspace.Repository.Root))
            {
                var key = workspace.Repository.Relative(output.FullPath);
                if (key.Length == 0 || key.StartsWith("..", StringComparison.Ordinal))
                {
                    continue;
                }

                _outs.Add(key);
                Add(key, new Node(output.Output.IsDirectory, output.Output.Size, output.Output.Md5));
                if (output.Output.IsDirectory && CachedManifest(workspace.Repository.CacheFor(output.Output), output.Output.Md5!) is { } manifest)
                {
                    foreach (var entry in manifest)
                    {
                        // A manifest holds md5 and path only, so DVC knows no size for the files inside.
                        Add($"{key}/{entry.RelativePath}", new Node(false, null, entry.Md5));
                    }
                }
            }
        }

        public Dictionary<string, Node> Nodes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HashSet<string>> Children { get; } = new(StringComparer.Ordinal);

        /// <summary>Whether the path is an output or lies inside one (DVC's <c>isout</c>).</summary>
        public bool IsOut(string key)
        {
            for (var at = key.Length; at > 0; at = key.LastIndexOf('/', at - 1))
            {
                if (_outs.Contains(key[..at]))
                {
                    return true;
                }
            }

            return false;
        }

        private void Add(string key, Node node)
        {
            Nodes[key] = node;
            // Folders above a tracked path are in DVC's index too, as folders of unknown content.
            var current = key;
            while (true)
            {
                var slash = current.LastIndexOf('/');
                var parent = slash < 0 ? "" : current[..slash];
                if (!Children.TryGetValue(parent, out var names))
                {
                    Children[parent] = names = new HashSet<string>(StringComparer.Ordinal);
                }

                names.Add(current[(slash + 1)..]);
                if (slash < 0)
                {
                    return;
                }

                Nodes.TryAdd(parent, new Node(true, 0, null));
                current = parent;
            }
        }
    }

    private sealed record Node(bool IsDir, long? Size, string? Md5);
}
