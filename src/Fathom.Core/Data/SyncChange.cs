namespace Fathom.Data;

/// <summary>One file <c>data sync</c> copied or deleted (or would, with <c>--dry-run</c>); <see cref="Action"/> is <c>copy</c> or <c>delete</c>.</summary>
internal sealed record SyncChange(string Key, string Action, long Size);
