using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Server.Tests;

/// <summary>
/// The tracking-store compliance suite through the MLflow REST client against a real <c>fathom server</c> on loopback
/// (over a fresh SQLite store per test): local and remote mode are one code path, so the remote store must answer as
/// the embedded ones do, errors included.
/// </summary>
public sealed class RemoteTrackingStoreTests : TrackingStoreCompliance
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-remote-tracking-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _server;

    protected override async Task<ITrackingStore> CreateStoreAsync()
    {
        // The proxy off, so new experiments get the destination folder's file:// root, as the embedded store's do.
        var options = new TrackingServerOptions
        {
            Port = 0,
            Store = StoreLocation.Parse(_folder, "/"),
            ArtifactsDestination = Path.Combine(_folder, "artifacts"),
            ServeArtifacts = false,
        };
        _server = TrackingServerHost.Build(options);
        await _server.StartAsync();
        return new TrackingStores().Open(StoreLocation.Parse(_server.Urls.First(), "/"));
    }

    protected override async Task CleanUpAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
