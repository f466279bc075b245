namespace Fathom.Endpoints;

/// <summary>One version's share of an endpoint's requests, in percent.</summary>
internal sealed record TrafficSplit(long Version, int Percent);
