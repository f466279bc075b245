using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// One version of a registered model. Versions are numbered per model from 1 and never reused, even after a
/// delete; <see cref="Source"/> is where its files are, as the registering client gave it.
/// </summary>
internal sealed record ModelVersion(
    string Name,
    long Version,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? UserId,
    string CurrentStage,
    string? Description,
    string Source,
    string? RunId,
    string Status,
    string? StatusMessage,
    IReadOnlyList<Tag> Tags,
    string? RunLink,
    IReadOnlyList<string> Aliases);
