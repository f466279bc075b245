namespace Fathom.Tracking;

/// <summary>One page of experiments and the token of the next page, null on the last page.</summary>
public sealed record ExperimentsPage(IReadOnlyList<Experiment> Experiments, string? NextPageToken);
