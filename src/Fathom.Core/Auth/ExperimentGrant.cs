namespace Fathom.Auth;

/// <summary>A user's permission on one experiment.</summary>
public sealed record ExperimentGrant(string ExperimentId, long UserId, AccessLevel Permission);
