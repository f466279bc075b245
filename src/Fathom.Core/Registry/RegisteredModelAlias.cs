namespace Fathom.Registry;

/// <summary>A named pointer (<c>champion</c>) at one version of a registered model.</summary>
internal sealed record RegisteredModelAlias(string Alias, long Version);
