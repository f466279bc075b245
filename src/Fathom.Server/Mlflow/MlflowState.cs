using Fathom.Registry;
using Fathom.Storage;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>What the MLflow routes work on: the tracking store and its registry, where proxied artifacts live, and the clock.</summary>
internal sealed class MlflowState(ITrackingStore store, ArtifactStoreResolver artifacts, TrackingServerOptions options, TimeProvider time)
{
    public ITrackingStore Store { get; } = store;

    /// <summary>Opens the artifact store an artifact URI names (local folders, S3: the host's composition).</summary>
    public ArtifactStoreResolver Artifacts { get; } = artifacts;

    /// <summary>The model registry kept with the tracking data.</summary>
    public IModelRegistryStore Registry => ModelRegistries.Of(Store);

    public TrackingServerOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    /// <summary>The root URI behind <c>mlflow-artifacts:/</c> URIs (a folder or a bucket), or null when artifact serving is off.</summary>
    public string? ProxyRoot => Options.ServeArtifacts ? Options.ArtifactsDestinationUri : null;
}
