namespace Fathom.Data;

/// <summary>An object gc removed (or with --dry would remove): from the cache or the remote, its id, size, time and where it is.</summary>
internal sealed record GcObject(bool Remote, string Md5, long Size, DateTimeOffset? Modified, string Location)
{
    public bool IsDirectory => Md5.EndsWith(".dir", StringComparison.Ordinal);
}
