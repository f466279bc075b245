using Fathom.Mlflow;
using Fathom.Remote;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Server.Tests;

/// <summary>
/// The registry compliance suite through the MLflow REST client against a real server on loopback: the remote store
/// must answer exactly as the embedded one, errors included.
/// </summary>
public sealed class RemoteModelRegistryTests : ModelRegistryCompliance
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-remote-registry-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _server;

    // Without --auth the server knows nobody: moves are recorded with no user, whatever the client says.
    protected override bool RecordsCallerActor => false;

    protected override bool KeepsEndpoints => false;

    protected override async Task<ITrackingStore> CreateStoreAsync()
    {
        _server = TrackingServerHost.Build(new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(_folder, "/"), ArtifactsDestination = Path.Combine(_folder, "artifacts") });
        await _server.StartAsync();
        return RemoteTracking.Open(_server.Urls.First()).Store;
    }

    protected override async Task CleanUpAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
