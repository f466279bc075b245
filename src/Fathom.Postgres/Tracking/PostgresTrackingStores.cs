namespace Fathom.Tracking;

/// <summary>Adds the PostgreSQL store kind to a host's <see cref="TrackingStores"/>.</summary>
public static class PostgresTrackingStores
{
    /// <summary>Makes <paramref name="stores"/> open <c>postgresql://</c> (and <c>postgres://</c>) locations, migrating the schema on first use.</summary>
    public static TrackingStores AddPostgres(this TrackingStores stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        // Opening migrates the schema first; the synchronous opener waits for it, as SQLite's does.
        static ITrackingStore Open(StoreLocation location, TimeProvider time, Microsoft.Extensions.Logging.ILogger logger) =>
            PostgresTrackingStore.OpenAsync(location.Uri, location.ArtifactRoot, time, logger, CancellationToken.None).GetAwaiter().GetResult();
        return stores.Add("postgresql", Open).Add("postgres", Open);
    }
}
