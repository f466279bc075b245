using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>What registering a new version takes: the model, where its files are, and optionally the run that made them.</summary>
internal sealed record CreateModelVersionRequest(
    string Name,
    string Source,
    string? RunId = null,
    IReadOnlyList<Tag>? Tags = null,
    string? RunLink = null,
    string? Description = null,
    string? UserId = null);
