namespace Fathom.Tracking;

/// <summary>One page of runs and the token of the next page, null on the last page.</summary>
public sealed record RunsPage(IReadOnlyList<Run> Runs, string? NextPageToken);
