namespace Fathom.Data;

/// <summary>What gc removed (or would remove with --dry) from the cache and the remote, object by object.</summary>
internal sealed record GcResult(int CacheRemoved, long CacheBytes, int RemoteRemoved, long RemoteBytes, int Kept, bool Dry)
{
    /// <summary>Each object removed (or that would be), cache first, in id order.</summary>
    public IReadOnlyList<GcObject> Objects { get; init; } = [];
}
