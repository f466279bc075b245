namespace Fathom.Tracking;

/// <summary>A run with its data: the latest value of each metric, its params, tags and dataset inputs.</summary>
public sealed record Run(
    RunInfo Info,
    IReadOnlyList<Metric> Metrics,
    IReadOnlyList<Param> Params,
    IReadOnlyList<Tag> Tags,
    IReadOnlyList<DatasetInput> Inputs)
{
    /// <summary>The value of a tag, or null.</summary>
    public string? GetTag(string key) => Tags.FirstOrDefault(t => t.Key == key)?.Value;
}
