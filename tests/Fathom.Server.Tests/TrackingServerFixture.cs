using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Server.Tests;

/// <summary>A real tracking server on a free loopback port over a fresh SQLite store, shared by one test class.</summary>
public sealed class TrackingServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "fathom-server-tests-" + Guid.NewGuid().ToString("N"));

    public string ArtifactsFolder => Path.Combine(Folder, "artifacts");

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(Folder, "/"), ArtifactsDestination = ArtifactsFolder };
        _app = TrackingServerHost.Build(options);
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }
}
