using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fathom.Tracking;

/// <summary>
/// The store kinds a host can open, each under its URI schemes, the way MLflow picks its store. A new instance knows
/// SQLite and MLflow's REST API (<c>http</c>, <c>https</c>); a host adds the adapters it ships (PostgreSQL's
/// <c>AddPostgres</c>) once, in its composition root, and keeps the instance: there is no process-wide registry.
/// </summary>
public sealed class TrackingStores
{
    private readonly Dictionary<string, TrackingStoreOpener> _kinds = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registry of the kinds Fathom's core has: SQLite and tracking servers.</summary>
    public TrackingStores()
    {
        Add("sqlite", static (location, time, logger) => SqliteTrackingStore.Open(location.DatabasePath!, location.ArtifactRoot, time, logger));
        Add("http", static (location, _, _) => Remote.RemoteTracking.Open(location.Uri).Store);
        Add("https", static (location, _, _) => Remote.RemoteTracking.Open(location.Uri).Store);
    }

    /// <summary>The schemes this registry opens.</summary>
    public IReadOnlyCollection<string> Schemes => _kinds.Keys;

    /// <summary>Adds (or replaces) the kind that opens <paramref name="scheme"/><c>://</c> locations.</summary>
    public TrackingStores Add(string scheme, TrackingStoreOpener open)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentNullException.ThrowIfNull(open);
        _kinds[scheme] = open;
        return this;
    }

    /// <summary>
    /// Opens (creating or migrating where the kind does) the store at <paramref name="location"/>; an upgrade's long steps
    /// are reported on <paramref name="logger"/>. A scheme no kind here opens is an <see cref="ArgumentException"/> that
    /// names the accepted forms.
    /// </summary>
    public ITrackingStore Open(StoreLocation location, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!_kinds.TryGetValue(location.Scheme, out var open))
        {
            var accepted = string.Join(", ", _kinds.Keys.Order(StringComparer.Ordinal).Select(s => s == "sqlite" ? "sqlite:///path.db" : s + "://…"));
            throw new ArgumentException($"No tracking store for '{location.Scheme}:' URIs ({location}): give a folder or one of {accepted}.", nameof(location));
        }

        return open(location, time ?? TimeProvider.System, logger ?? NullLogger.Instance);
    }
}

/// <summary>Opens the store of one kind at a location, with the clock and the logger that hears about a schema upgrade.</summary>
public delegate ITrackingStore TrackingStoreOpener(StoreLocation location, TimeProvider time, ILogger logger);
