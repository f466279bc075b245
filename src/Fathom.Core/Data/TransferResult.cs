namespace Fathom.Data;

/// <summary>A push or fetch: objects copied, already present on the other side, and missing at the source.</summary>
internal sealed record TransferResult(int Transferred, long Bytes, int Skipped, IReadOnlyList<string> Missing)
{
    /// <summary>Every object a fetch could not bring into the cache (missing at the remote, or corrupt there), with why.</summary>
    public IReadOnlyList<FailedObject> Failed { get; init; } = [];
}
