namespace Fathom.Lineage;

/// <summary>The state of the git working tree a run started from.</summary>
public sealed record GitInfo(string Commit, bool IsDirty, string? Branch, string? RemoteUrl);
