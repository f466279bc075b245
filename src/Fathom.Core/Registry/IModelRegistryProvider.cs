namespace Fathom.Registry;

/// <summary>
/// A tracking store that also holds a model registry (the SQL stores keep both in one database, and an MLflow
/// server serves both), as MLflow defaults its registry URI to the tracking URI.
/// </summary>
internal interface IModelRegistryProvider
{
    /// <summary>The registry beside the tracking data.</summary>
    IModelRegistryStore ModelRegistry { get; }
}
