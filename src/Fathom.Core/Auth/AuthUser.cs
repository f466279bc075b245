namespace Fathom.Auth;

/// <summary>A user of the tracking server, shaped like MLflow basic-auth's <c>User</c>.</summary>
public sealed record AuthUser(long Id, string Username, bool IsAdmin);
