using System.Diagnostics;
using System.Text.Json;

namespace Fathom.Bench;

/// <summary>
/// Times get-history over HTTP two ways. Server side: from sending the request to the last byte of the body, the
/// body discarded as it arrives — what the server controls. Full: the body parsed into a document as a real client
/// does (the python client's json.loads), so the client's own parse is in the figure, done as cheaply as .NET can.
/// </summary>
internal static class HistoryTimings
{
    /// <summary>Milliseconds to the last byte, the body thrown away.</summary>
    public static async Task<double> TimeToLastByteAsync(HttpClient http, string url)
    {
        var stopwatch = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(Stream.Null);
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Milliseconds to a parsed document, and the number of points in it.</summary>
    public static async Task<(double Milliseconds, int Points)> ParsedAsync(HttpClient http, string url)
    {
        var stopwatch = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var document = await JsonDocument.ParseAsync(body);
        var points = document.RootElement.TryGetProperty("metrics", out var metrics) ? metrics.GetArrayLength() : 0;
        return (stopwatch.Elapsed.TotalMilliseconds, points);
    }
}
