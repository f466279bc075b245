using Fathom.Auth;
using Fathom.Dashboard;
using Fathom.Endpoints;
using Fathom.Http;
using Fathom.Jobs;
using Fathom.Server.Http;
using Fathom.Storage;
using Fathom.Tracking;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fathom.Mlflow;

/// <summary>
/// Composes <c>fathom server</c>: Kestrel on one address, the tracking store opened (and migrated) before the
/// first request, MLflow's tracking API, its artifact proxy and the dashboard over them.
/// </summary>
internal static class TrackingServerHost
{
    /// <param name="options">Where it listens, what it serves.</param>
    /// <param name="logging">Log providers beyond the default (the CLI's console, a test's recorder).</param>
    /// <param name="services">Services that take the place of the host's defaults, registered first (a test's S3 client).</param>
    public static WebApplication Build(TrackingServerOptions options, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "fathom-server" });
        builder.WebHost.UseUrls(BindAddress.Url(options.Host, options.Port));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A schema upgrade is not a warning, but whoever waits on one should see what it is doing.
        builder.Logging.AddFilter(MigrationLog.Category, LogLevel.Information);
        // Sign-ins, right and wrong, are an audit trail.
        builder.Logging.AddFilter(typeof(BasicSignIn).FullName, LogLevel.Information);
        logging?.Invoke(builder.Logging);
        services?.Invoke(builder.Services);
        builder.Services.AddMlflow(options);
        if (options.Auth is { Enabled: true } auth)
        {
            builder.Services.AddMlflowAuth(auth);
        }

        builder.Services.AddJobs(options);
        builder.Services.AddEndpoints(options);
        builder.Services.AddSingleton(new ErrorShape(MlflowErrors.WriteStatusAsync));
        var app = builder.Build();
        // Open (and migrate) the store now, so a bad store fails the start instead of the first request.
        _ = app.Services.GetRequiredService<ITrackingStore>();
        _ = app.Services.GetRequiredService<IJobStore>();
        app.UseMiddleware<ErrorBodies>();
        // Services behind the proxy may speak WebSocket (a notebook's kernel); the upgrade is accepted by the proxy only.
        app.UseWebSockets();
        app.UseRouting();
        app.UseMiddleware<CanonicalRoutes>();
        if (options.Auth is { Enabled: true })
        {
            // After routing, so that the route's declared permissions are known; before any handler runs.
            app.UseMiddleware<MlflowAuthMiddleware>();
            app.MapAuthApi();
        }

        app.MapMlflowApi();
        app.MapMlflowArtifactsApi();
        app.MapJobsApi();
        ServiceProxy.MapServiceProxy(app);
        app.MapEndpointsApi();
        app.MapDashboard(options.Auth is { Enabled: true });
        return app;
    }

    /// <summary>
    /// Registers the tracking store (disposed with the host) and the state the MLflow routes share. The store kinds are
    /// the host's: SQLite and PostgreSQL; artifact stores: local folders and S3 (settings from the environment).
    /// </summary>
    public static IServiceCollection AddMlflow(this IServiceCollection services, TrackingServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new TrackingStores().AddPostgres());
        services.TryAddSingleton(_ => S3ArtifactStores.Register(new ArtifactStoreResolver()));
        // New experiments get the server's root (the artifact proxy's, or the destination's), not the store's own.
        services.AddSingleton<ITrackingStore>(sp => sp.GetRequiredService<TrackingStores>().Open(
            options.Store with { ArtifactRoot = options.DefaultArtifactRoot },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger(MigrationLog.Category)));
        services.AddSingleton(sp => new MlflowState(sp.GetRequiredService<ITrackingStore>(), sp.GetRequiredService<ArtifactStoreResolver>(), options, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
