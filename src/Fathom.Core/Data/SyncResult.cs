namespace Fathom.Data;

/// <summary>What <c>data sync</c> did: files copied (and their bytes), left alone as unchanged, and deleted.</summary>
internal sealed record SyncResult(int Copied, long Bytes, int Skipped, int Deleted, IReadOnlyList<SyncChange> Changes, bool DryRun);
