namespace Fathom.Tracking;

/// <summary>A data set a run used, identified within its experiment by name and digest (MLflow's <c>Dataset</c>).</summary>
public sealed record Dataset(
    string Name,
    string Digest,
    string SourceType,
    string Source,
    string? Schema = null,
    string? Profile = null);
