namespace Fathom.Tracking;

/// <summary>Registers <c>postgresql://</c> (and <c>postgres://</c>) tracking URIs.</summary>
public static class PostgresTrackingStores
{
    /// <summary>Makes <see cref="TrackingClient.Open"/> and the hosts accept PostgreSQL URIs.</summary>
    public static void Register()
    {
        static ITrackingStore Open(string uri, string root, TimeProvider time, Microsoft.Extensions.Logging.ILogger logger) =>
            PostgresTrackingStore.OpenAsync(uri, root, time, logger, CancellationToken.None).GetAwaiter().GetResult();
        TrackingStores.Register("postgresql", Open);
        TrackingStores.Register("postgres", Open);
    }
}
