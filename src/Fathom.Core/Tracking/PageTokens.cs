using System.Text;
using System.Text.Json;

namespace Fathom.Tracking;

/// <summary>
/// MLflow's page tokens: base64 of <c>{"offset": N}</c>. Clients treat them as opaque, but using MLflow's form
/// lets a token from one server be read by the other.
/// </summary>
internal static class PageTokens
{
    public static string Encode(long offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, long> { ["offset"] = offset })));

    /// <summary>The offset a token holds; 0 for none; INVALID_PARAMETER_VALUE for a token that is not one.</summary>
    public static long Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var json = JsonSerializer.Deserialize<Dictionary<string, long>>(Convert.FromBase64String(token));
            if (json is not null && json.TryGetValue("offset", out var offset) && offset >= 0)
            {
                return offset;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw TrackingException.Invalid($"Invalid page token, could not base64-decode or parse it: {e.Message}");
        }

        throw TrackingException.Invalid("Invalid page token: it has no non-negative 'offset'.");
    }

    /// <summary>
    /// Ends a page read with one row more than <paramref name="maxResults"/> (that row's presence is how a page
    /// query tells another page exists without a second query): drops the extra row and returns the next page's
    /// token, or null on the last page.
    /// </summary>
    public static string? NextPage<T>(List<T> rows, int maxResults, long offset)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count <= maxResults)
        {
            return null;
        }

        rows.RemoveRange(maxResults, rows.Count - maxResults);
        return Encode(offset + maxResults);
    }
}
