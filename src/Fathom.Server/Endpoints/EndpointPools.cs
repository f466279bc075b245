namespace Fathom.Endpoints;

/// <summary>
/// What an endpoint's router sends requests to, swapped as one reference: the replicas of each version served and,
/// for a canary, the split between them. Immutable, so a request sees either the old set or the new, never a mix.
/// </summary>
internal sealed record EndpointPools(IReadOnlyList<VersionPool> Pools, IReadOnlyList<TrafficSplit>? Split)
{
    public IEnumerable<Replica> Replicas => Pools.SelectMany(p => p.Replicas);

    public IReadOnlyList<long> Versions => [.. Pools.Select(p => p.Version)];
}

/// <summary>The replicas of one model version.</summary>
internal sealed record VersionPool(long Version, IReadOnlyList<Replica> Replicas);
