namespace Fathom.Data;

/// <summary>What checkout changed in the workspace, and the outputs it could not restore.</summary>
internal sealed record CheckoutResult(IReadOnlyList<string> Added, IReadOnlyList<string> Modified, IReadOnlyList<string> Failed);
