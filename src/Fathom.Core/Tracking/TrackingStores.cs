namespace Fathom.Tracking;

/// <summary>Opens the tracking store a location names.</summary>
public static class TrackingStores
{
    /// <summary>Opens (and creates or migrates) the SQLite store at <paramref name="location"/>.</summary>
    public static ITrackingStore Open(StoreLocation location, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        return SqliteTrackingStore.Open(location.DatabasePath, location.ArtifactRoot, time ?? TimeProvider.System);
    }
}
