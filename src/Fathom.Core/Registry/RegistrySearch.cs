namespace Fathom.Registry;

/// <summary>
/// A registry search: MLflow's filter grammar (<c>name LIKE 'churn%' AND tags.team = 'x'</c>), order keys
/// (<c>name ASC</c>), page size and the token of the page to read.
/// </summary>
internal sealed record RegistrySearch(string? Filter = null, IReadOnlyList<string>? OrderBy = null, int MaxResults = 100, string? PageToken = null);
