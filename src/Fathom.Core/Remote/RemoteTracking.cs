using Fathom.Storage;
using Fathom.Tracking;

namespace Fathom.Remote;

/// <summary>Opens the REST store and the artifact resolver that go with an <c>http(s)</c> tracking URI.</summary>
internal static class RemoteTracking
{
    public static bool IsRemote(string? uri) =>
        uri is not null && (uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    public static (ITrackingStore Store, ArtifactStoreResolver Artifacts) Open(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            throw new ArgumentException($"Invalid tracking URI '{uri}'.", nameof(uri));
        }

        var connection = new MlflowConnection(parsed);
        var artifacts = new ArtifactStoreResolver().Register("mlflow-artifacts", root => new MlflowArtifactsStore(connection, root));
        return (new MlflowRestStore(connection), artifacts);
    }
}
