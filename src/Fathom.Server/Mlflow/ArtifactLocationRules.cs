using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// What MLflow's create-experiment handler refuses in an <c>artifact_location</c> before it reaches the store:
/// URL fragments and <c>;params</c>, a query string that climbs with <c>..</c> (even percent-encoded), and
/// <c>runs:/</c> URIs. These close path tricks against the artifact proxy (MLflow's CVE fixes of 2023).
/// </summary>
internal static class ArtifactLocationRules
{
    public static void Validate(string? location)
    {
        if (string.IsNullOrEmpty(location))
        {
            return;
        }

        var (beforeFragment, fragment) = Split(location, '#');
        var (beforeQuery, query) = Split(beforeFragment, '?');
        // urlparse reads ;params from the last path segment only.
        var lastSegment = beforeQuery[(beforeQuery.LastIndexOf('/') + 1)..];
        if (fragment.Length > 0 || (lastSegment.Contains(';', StringComparison.Ordinal) && lastSegment[(lastSegment.IndexOf(';', StringComparison.Ordinal) + 1)..].Length > 0))
        {
            throw TrackingException.Invalid("'artifact_location' URL can't include fragments or params.");
        }

        if (Decoded(query).Contains("..", StringComparison.Ordinal))
        {
            throw TrackingException.Invalid("Invalid query string");
        }

        if (location.StartsWith("runs:", StringComparison.Ordinal))
        {
            throw TrackingException.Invalid($"Artifact location cannot be a runs:/ URI. Given: '{location}'");
        }
    }

    private static (string Before, string After) Split(string text, char separator)
    {
        var at = text.IndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? (text, string.Empty) : (text[..at], text[(at + 1)..]);
    }

    // Decoded until stable, as MLflow's validate_query_string does, so %252e%252e cannot hide "..".
    private static string Decoded(string query)
    {
        for (var i = 0; i < 10; i++)
        {
            var next = Uri.UnescapeDataString(query);
            if (next == query)
            {
                break;
            }

            query = next;
        }

        return query;
    }
}
