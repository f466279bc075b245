namespace Fathom.Search;

/// <summary>What a search identifier names: MLflow's entity prefixes (<c>metrics.</c>, <c>params.</c>, …).</summary>
internal enum SearchEntity
{
    Attribute,
    Metric,
    Param,
    Tag,
    Dataset,

    /// <summary>A trace's request metadata (<c>request_metadata.</c> or <c>metadata.</c>).</summary>
    RequestMetadata,
}
