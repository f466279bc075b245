namespace Fathom.Data;

/// <summary>What gc removed (or would remove with --dry) from the cache and the remote.</summary>
internal sealed record GcResult(int CacheRemoved, long CacheBytes, int RemoteRemoved, long RemoteBytes, int Kept, bool Dry);
