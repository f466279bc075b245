namespace Fathom.Data;

/// <summary>A file found under a tracked output, with what its stat says (size, mtime) and, once known, its md5.</summary>
internal sealed class WorkspaceFile(string fullPath, string relativePath, string key, long size, long mtimeTicks)
{
    public string FullPath { get; } = fullPath;

    /// <summary>Path inside the output folder ('/'-separated); the file name for a single-file output.</summary>
    public string RelativePath { get; } = relativePath;

    /// <summary>Path from the repository root ('/'-separated): the stat cache's key.</summary>
    public string Key { get; } = key;

    public long Size { get; } = size;

    public long MtimeTicks { get; } = mtimeTicks;

    public string Md5 { get; set; } = "";

    /// <summary>True when the md5 came from the stat cache rather than from reading the file.</summary>
    public bool Remembered { get; set; }
}
