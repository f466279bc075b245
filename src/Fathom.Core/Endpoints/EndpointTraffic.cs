using System.Globalization;
using System.Text;
using Fathom.Tracking;

namespace Fathom.Endpoints;

/// <summary>
/// Canary splits (<c>v3=90,v4=10</c>) as pure functions: parsing with errors that name the field, the canonical text
/// kept in the store, and which version a request goes to. A request carrying a session key always lands on the
/// same version for a given split (its hash picks a percentile), so one user never flips between models mid-session.
/// </summary>
internal static class EndpointTraffic
{
    /// <summary>The request header whose value keeps a client on one version of a split.</summary>
    public const string SessionHeader = "X-Fathom-Session";

    /// <summary>Parses <paramref name="text"/>; refusals are INVALID_PARAMETER_VALUE naming <paramref name="field"/>.</summary>
    public static IReadOnlyList<TrafficSplit> Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        var splits = new List<TrafficSplit>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var versionText = equals < 0 ? part : part[..equals].Trim();
            versionText = versionText.StartsWith('v') || versionText.StartsWith('V') ? versionText[1..] : versionText;
            if (equals < 0
                || !long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1
                || !int.TryParse(part[(equals + 1)..].Trim().TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                throw TrackingException.Invalid($"{field}: '{part}' is not VERSION=PERCENT; write e.g. v3=90,v4=10.");
            }

            if (percent is < 1 or > 99)
            {
                throw TrackingException.Invalid($"{field}: version {version} gets {percent}%; each share must be between 1 and 99.");
            }

            if (splits.Any(s => s.Version == version))
            {
                throw TrackingException.Invalid($"{field}: version {version} is named twice.");
            }

            splits.Add(new TrafficSplit(version, percent));
        }

        if (splits.Count < 2)
        {
            throw TrackingException.Invalid($"{field}: a split needs at least two versions, e.g. v3=90,v4=10.");
        }

        var total = splits.Sum(s => s.Percent);
        return total == 100 ? splits : throw TrackingException.Invalid($"{field}: the shares add up to {total}%; they must add up to 100.");
    }

    /// <summary>The canonical text stored and shown: <c>v3=90,v4=10</c>.</summary>
    public static string Format(IReadOnlyList<TrafficSplit> splits) =>
        string.Join(',', splits.Select(s => string.Create(CultureInfo.InvariantCulture, $"v{s.Version}={s.Percent}")));

    /// <summary>
    /// The version a request goes to: by the session key's percentile when there is one, else by <paramref name="random"/>'s.
    /// </summary>
    public static long Pick(IReadOnlyList<TrafficSplit> splits, string? session, Random random)
    {
        ArgumentNullException.ThrowIfNull(splits);
        ArgumentNullException.ThrowIfNull(random);
        var percentile = string.IsNullOrEmpty(session) ? random.Next(100) : (int)(Fnv1a(session) % 100);
        foreach (var split in splits)
        {
            if (percentile < split.Percent)
            {
                return split.Version;
            }

            percentile -= split.Percent;
        }

        return splits[^1].Version;
    }

    // FNV-1a: stable across processes and .NET versions (string.GetHashCode is randomised per process), so a session
    // keeps its version across a server restart too.
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
