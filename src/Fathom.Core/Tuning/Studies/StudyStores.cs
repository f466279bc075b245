using Fathom.Tracking;

namespace Fathom.Tuning;

/// <summary>Opens the studies kept in the database at a store location.</summary>
internal delegate Task<StudyStore> StudyStoreOpener(StoreLocation location, TimeProvider time, CancellationToken cancellationToken);

/// <summary>
/// The database kinds that keep studies, by URI scheme as <see cref="TrackingStores"/> picks tracking stores: SQLite here;
/// a host adds PostgreSQL (<c>AddPostgres</c>) where it is composed. Studies live in the same database as the runs by
/// default, or in a database of their own (<c>hydra.sweeper.storage</c>) that many machines share.
/// </summary>
internal sealed class StudyStores
{
    private readonly Dictionary<string, StudyStoreOpener> _kinds = new(StringComparer.OrdinalIgnoreCase);

    public StudyStores() => Add("sqlite", SqliteStudyStore.OpenAsync);

    public StudyStores Add(string scheme, StudyStoreOpener open)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentNullException.ThrowIfNull(open);
        _kinds[scheme] = open;
        return this;
    }

    /// <summary>Opens the studies at <paramref name="location"/>; a kind that keeps none (a tracking server) is refused with what to give instead.</summary>
    public Task<StudyStore> OpenAsync(StoreLocation location, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!_kinds.TryGetValue(location.Scheme, out var open))
        {
            var accepted = string.Join(" or ", _kinds.Keys.Order(StringComparer.Ordinal).Select(s => s == "sqlite" ? "sqlite:///path.db" : s + "://…"));
            throw new ArgumentException(
                $"Studies are kept in a database, and {location} is a {location.Scheme}: store: set hydra.sweeper.storage to {accepted} (many machines can share one).");
        }

        return open(location, time ?? TimeProvider.System, cancellationToken);
    }
}
