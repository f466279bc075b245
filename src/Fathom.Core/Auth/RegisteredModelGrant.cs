namespace Fathom.Auth;

/// <summary>A user's permission on one registered model.</summary>
public sealed record RegisteredModelGrant(string Name, long UserId, AccessLevel Permission);
