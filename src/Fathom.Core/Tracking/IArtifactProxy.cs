using Fathom.Storage;

namespace Fathom.Tracking;

/// <summary>
/// A store whose server also moves the runs' files, as MLflow's artifact proxy does for <c>mlflow-artifacts:</c> URIs:
/// a client opened on it resolves those URIs through the same connection.
/// </summary>
internal interface IArtifactProxy
{
    /// <summary>Registers the proxy's URI schemes on <paramref name="artifacts"/>.</summary>
    void AddArtifactStores(ArtifactStoreResolver artifacts);
}
