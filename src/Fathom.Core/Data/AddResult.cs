namespace Fathom.Data;

/// <summary>What add did: the outputs saved and the <c>.gitignore</c> files it touched.</summary>
internal sealed record AddResult(IReadOnlyList<SavedOutput> Outputs, IReadOnlyList<string> Gitignores);
