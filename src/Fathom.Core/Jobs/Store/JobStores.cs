using Fathom.Tracking;

namespace Fathom.Jobs;

/// <summary>
/// The job store kinds a host opens, by the scheme of the one store location every command resolves (as
/// <see cref="TrackingStores"/> does for tracking): SQLite here, PostgreSQL added by its adapter. A tracking server
/// (http/https) has no jobs API yet, so it is refused with what to do.
/// </summary>
internal sealed class JobStores
{
    private readonly Dictionary<string, Func<StoreLocation, TimeProvider, IJobStore>> _kinds = new(StringComparer.OrdinalIgnoreCase);

    public JobStores() => Add("sqlite", static (location, time) => SqliteJobStore.Open(location, time));

    public JobStores Add(string scheme, Func<StoreLocation, TimeProvider, IJobStore> open)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentNullException.ThrowIfNull(open);
        _kinds[scheme] = open;
        return this;
    }

    public IJobStore Open(StoreLocation location, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (_kinds.TryGetValue(location.Scheme, out var open))
        {
            return open(location, time);
        }

        throw location.Scheme is "http" or "https"
            ? new TrackingException(ErrorCode.InvalidParameterValue,
                $"Runs of jobs are recorded in a SQLite or PostgreSQL store; {location} is a tracking server, which has no jobs API yet. Give --store a folder, sqlite:// or postgresql:// URI (the job still logs to the server through MLFLOW_TRACKING_URI).")
            : new TrackingException(ErrorCode.InvalidParameterValue, $"No job store for '{location.Scheme}:' URIs ({location}).");
    }
}
