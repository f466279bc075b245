using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Fathom.Tracking;

/// <summary>
/// Opens the tracking store a location names. SQLite is built in; adapters (PostgreSQL) register their URI
/// schemes at start-up, the way MLflow picks its store by URI scheme.
/// </summary>
public static class TrackingStores
{
    private static readonly ConcurrentDictionary<string, Func<string, string, TimeProvider, ILogger, ITrackingStore>> Factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Opens (and creates or migrates) the SQLite store at <paramref name="location"/>.</summary>
    public static ITrackingStore Open(StoreLocation location, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        return SqliteTrackingStore.Open(location.DatabasePath, location.ArtifactRoot, time ?? TimeProvider.System);
    }

    /// <summary>
    /// Adds a store for a URI scheme; the factory gets the URI, the default artifact root, the clock, and the logger
    /// that hears about a schema upgrade's long steps.
    /// </summary>
    public static void Register(string scheme, Func<string, string, TimeProvider, ILogger, ITrackingStore> factory) => Factories[scheme] = factory;

    /// <summary>The factory registered for the scheme of <paramref name="uri"/>, if any.</summary>
    internal static Func<string, string, TimeProvider, ILogger, ITrackingStore>? FactoryFor(string? uri)
    {
        var colon = uri?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        return colon > 0 && Factories.TryGetValue(uri![..colon], out var factory) ? factory : null;
    }
}
