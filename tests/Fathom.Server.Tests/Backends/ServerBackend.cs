using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Fathom.Server.Tests.Backends;

/// <summary>
/// A real <c>fathom server</c> on a free loopback port over one pair of backends (a tracking store, an artifacts
/// destination), for the suites that must behave the same on every pair. Where a backend cannot run here the tests skip
/// locally; on CI (<c>CI=true</c>) its fixture fails instead.
/// </summary>
public abstract class ServerBackend : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>A folder of the test's own, for the SQLite database and local artifacts.</summary>
    protected string Folder { get; } = Path.Combine(Path.GetTempPath(), "fathom-backend-" + Guid.NewGuid().ToString("N"));

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Why this pair cannot run here (tests skip), or null.</summary>
    public virtual string? Unavailable => null;

    /// <summary>Why the destination cannot abort or refuse multipart uploads (a test bucket that lacks S3's checks), or null.</summary>
    public virtual string? MultipartChecksUnavailable => null;

    /// <summary>The artifacts destination as a URI (<c>file://…</c>, <c>s3://…</c>).</summary>
    public string ArtifactsDestination { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await StartBackendsAsync();
        if (Unavailable is not null)
        {
            return;
        }

        var (store, artifacts) = await LocateAsync();
        var options = new TrackingServerOptions { Port = 0, Store = store, ArtifactsDestination = artifacts };
        ArtifactsDestination = options.ArtifactsDestinationUri;
        _app = TrackingServerHost.Build(options, services: Services);
        await _app.StartAsync();
        // Large uploads on a loaded machine take a while; the default 100 s is too tight for a 100 MB body there.
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await StopBackendsAsync();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    /// <summary>Starts what the pair needs (a database server, an S3 server).</summary>
    protected virtual Task StartBackendsAsync() => Task.CompletedTask;

    /// <summary>Stops it, after the tracking server.</summary>
    protected virtual Task StopBackendsAsync() => Task.CompletedTask;

    /// <summary>The store and the artifacts destination the server gets.</summary>
    private protected abstract Task<(StoreLocation Store, string Artifacts)> LocateAsync();

    /// <summary>Services that replace the host's defaults (an S3 client for the test's server).</summary>
    private protected virtual void Services(IServiceCollection services)
    {
    }
}
