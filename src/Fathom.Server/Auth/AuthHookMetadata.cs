namespace Fathom.Auth;

/// <summary>An <see cref="AuthHook"/> as endpoint metadata (metadata must be an object).</summary>
internal sealed record AuthHookMetadata(AuthHook Hook);
