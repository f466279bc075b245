namespace Fathom.Registry;

/// <summary>One page of model versions and the token of the next page, null on the last page.</summary>
internal sealed record ModelVersionsPage(IReadOnlyList<ModelVersion> Versions, string? NextPageToken);
