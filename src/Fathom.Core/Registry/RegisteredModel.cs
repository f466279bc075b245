using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// A registered model as MLflow shows it: its tags, its aliases, and the highest version currently in each stage
/// (<c>latest_versions</c>). Times are milliseconds since the Unix epoch.
/// </summary>
internal sealed record RegisteredModel(
    string Name,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? Description,
    IReadOnlyList<Tag> Tags,
    IReadOnlyList<ModelVersion> LatestVersions,
    IReadOnlyList<RegisteredModelAlias> Aliases);
