using Fathom.Mlflow;

namespace Fathom.Endpoints;

/// <summary>Wires local endpoints into a tracking-server host: the manager, which is also the hosted service that restarts and follows them.</summary>
internal static class EndpointsServiceCollectionExtensions
{
    public static IServiceCollection AddEndpoints(this IServiceCollection services, TrackingServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoints = options.Endpoints ?? new EndpointOptions();
        endpoints.Validate();
        services.AddSingleton(endpoints);
        services.AddSingleton(sp => new EndpointManager(
            sp.GetRequiredService<MlflowState>(), options, endpoints, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EndpointManager>>()));
        services.AddHostedService(sp => sp.GetRequiredService<EndpointManager>());
        return services;
    }
}
