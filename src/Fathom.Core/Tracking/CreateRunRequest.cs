namespace Fathom.Tracking;

/// <summary>What a new run starts with.</summary>
public sealed record CreateRunRequest(
    string ExperimentId,
    string? RunName,
    string UserId,
    long StartTime,
    IReadOnlyList<Tag> Tags);
