namespace Fathom.Registry;

/// <summary>One page of registered models and the token of the next page, null on the last page.</summary>
internal sealed record RegisteredModelsPage(IReadOnlyList<RegisteredModel> Models, string? NextPageToken);
