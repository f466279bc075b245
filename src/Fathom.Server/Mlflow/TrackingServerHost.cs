using Fathom.Auth;
using Fathom.Http;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// Composes <c>fathom server</c>: Kestrel on one address, the tracking store opened (and migrated) before the
/// first request, MLflow's tracking API and its artifact proxy.
/// </summary>
internal static class TrackingServerHost
{
    public static WebApplication Build(TrackingServerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "fathom-server" });
        builder.WebHost.UseUrls($"http://{FormatHost(options.Host)}:{options.Port}");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A schema upgrade is not a warning, but whoever waits on one should see what it is doing.
        builder.Logging.AddFilter(MigrationLog.Category, LogLevel.Information);
        // Sign-ins, right and wrong, are an audit trail.
        builder.Logging.AddFilter(typeof(BasicSignIn).FullName, LogLevel.Information);
        logging?.Invoke(builder.Logging);
        builder.Services.AddMlflow(options);
        if (options.Auth is { Enabled: true } auth)
        {
            builder.Services.AddMlflowAuth(auth);
        }

        builder.Services.AddSingleton(new ErrorShape(MlflowErrors.WriteStatusAsync));
        var app = builder.Build();
        // Open (and migrate) the store now, so a bad store fails the start instead of the first request.
        _ = app.Services.GetRequiredService<ITrackingStore>();
        app.UseMiddleware<ErrorBodies>();
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
        return app;
    }

    /// <summary>Registers the tracking store (disposed with the host) and the state the MLflow routes share.</summary>
    public static IServiceCollection AddMlflow(this IServiceCollection services, TrackingServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ITrackingStore>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger(MigrationLog.Category) ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            if (options.StoreUri is not null)
            {
                PostgresTrackingStores.Register();
                var factory = TrackingStores.FactoryFor(options.StoreUri)
                    ?? throw new ArgumentException($"--store '{options.StoreUri}': no store for that scheme (use a folder, sqlite:///…, or postgresql://…).");
                return factory(options.StoreUri, options.DefaultArtifactRoot, time, logger);
            }

            return SqliteTrackingStore.Open(options.Store.DatabasePath, options.DefaultArtifactRoot, time, logger);
        });
        services.AddSingleton(sp => new MlflowState(sp.GetRequiredService<ITrackingStore>(), options, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
