namespace Fathom.Data;

/// <summary>A DVC-compatible content hash (<c>…</c> for a file, <c>….dir</c> for a folder) with the data's size in bytes and file count.</summary>
public sealed record ContentHash(string Md5, long Size, int FileCount)
{
    /// <summary>True when the hash is of a folder.</summary>
    public bool IsDirectory => Md5.EndsWith(".dir", StringComparison.Ordinal);
}
