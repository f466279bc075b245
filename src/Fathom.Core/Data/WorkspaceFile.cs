namespace Fathom.Data;

/// <summary>A file found under a tracked output, with what its stat says (size, mtime) and, once known, its md5.</summary>
internal sealed class WorkspaceFile
{
    private readonly string? _folder;
    private readonly string? _keyPrefix;
    private string? _fullPath;
    private string? _key;

    public WorkspaceFile(string fullPath, string relativePath, string key, long size, long mtimeTicks)
        : this(relativePath, size, mtimeTicks)
    {
        _fullPath = fullPath;
        _key = key;
    }

    private WorkspaceFile(string relativePath, long size, long mtimeTicks, string folder, string keyPrefix)
        : this(relativePath, size, mtimeTicks)
    {
        _folder = folder;
        _keyPrefix = keyPrefix;
    }

    private WorkspaceFile(string relativePath, long size, long mtimeTicks)
    {
        RelativePath = relativePath;
        Size = size;
        MtimeTicks = mtimeTicks;
    }

    /// <summary>
    /// A file found by walking <paramref name="folder"/>; its full path and stat-cache key are built only when asked
    /// for, since a no-change status over 20,000 files needs neither.
    /// </summary>
    public static WorkspaceFile InFolder(string folder, string keyPrefix, string relativePath, long size, long mtimeTicks) =>
        new(relativePath, size, mtimeTicks, folder, keyPrefix);

    // Made at most twice under a race between hashing threads, with the same value both times.
    public string FullPath => _fullPath ??= Path.Join(_folder, RelativePath);

    /// <summary>Path inside the output folder ('/'-separated); the file name for a single-file output.</summary>
    public string RelativePath { get; }

    /// <summary>Path from the repository root ('/'-separated): the stat cache's key.</summary>
    public string Key => _key ??= _keyPrefix + RelativePath;

    public long Size { get; }

    public long MtimeTicks { get; }

    public string Md5 { get; set; } = "";

    /// <summary>True when the md5 came from the stat cache rather than from reading the file.</summary>
    public bool Remembered { get; set; }
}
