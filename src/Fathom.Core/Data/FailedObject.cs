namespace Fathom.Data;

/// <summary>An object a fetch did not bring into the cache: its id, the workspace path that needs it (when known), and why.</summary>
internal sealed record FailedObject(string Md5, string? Path, string Reason);
