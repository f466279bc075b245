using Fathom.Storage;
using Fathom.Tracking;

namespace Fathom.Remote;

/// <summary>Opens the REST store and the artifact resolver that go with an <c>http(s)</c> tracking URI.</summary>
internal static class RemoteTracking
{
    public static (ITrackingStore Store, ArtifactStoreResolver Artifacts) Open(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            throw new ArgumentException($"Invalid tracking URI '{UriRedaction.Redact(uri)}'.", nameof(uri));
        }

        var store = new MlflowRestStore(new MlflowConnection(parsed));
        var artifacts = new ArtifactStoreResolver();
        store.AddArtifactStores(artifacts);
        return (store, artifacts);
    }
}
