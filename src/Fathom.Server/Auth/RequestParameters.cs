using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fathom.Auth;

/// <summary>
/// A request's parameters as MLflow reads them: the query string for GET (and DELETE without a JSON body),
/// the JSON body otherwise. The body is buffered and rewound so the endpoint behind can read it again.
/// </summary>
internal static class RequestParameters
{
    public static async Task<JsonObject> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var result = new JsonObject();
        foreach (var (key, values) in request.Query)
        {
            result[key] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }

        if (HttpMethods.IsGet(request.Method) || request.ContentLength == 0)
        {
            return result;
        }

        request.EnableBuffering();
        try
        {
            if (await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken) is JsonObject body)
            {
                foreach (var (key, value) in body)
                {
                    result[key] = value?.DeepClone();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the endpoint reports it; authorisation falls back to the query string.
        }
        finally
        {
            request.Body.Position = 0;
        }

        return result;
    }

    public static string? String(JsonObject parameters, string name) => parameters[name] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        JsonArray { Count: > 0 } a => a[0]?.ToString(),
        _ => null,
    };

    public static IReadOnlyList<string> List(JsonObject parameters, string name) => parameters[name] switch
    {
        JsonArray a => a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString() ?? "").ToList(),
        JsonValue v => [v.TryGetValue<string>(out var s) ? s : v.ToJsonString()],
        _ => [],
    };
}
