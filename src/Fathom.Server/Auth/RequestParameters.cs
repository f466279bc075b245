using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// A request's parameters as MLflow reads them: the query string for GET (and DELETE without a JSON body),
/// the JSON body otherwise. The body is read at most once, bounded, and handed back to the endpoint as the bytes
/// read; artifact uploads are never read here, since their path alone decides the permission and they stream.
/// </summary>
internal static class RequestParameters
{
    /// <summary>The longest body read for a permission check on an RPC other than log-batch: the RPCs' own bound.</summary>
    public const long MaxBodyBytes = MlflowRpc.MaxBodyBytes;

    /// <summary>The parameters, or a <see cref="TrackingException"/> (MLflow's INVALID_PARAMETER_VALUE) when the body is too long to authorise.</summary>
    public static async Task<JsonObject> ReadAsync(HttpContext context, string path, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var result = new JsonObject();
        foreach (var (key, values) in request.Query)
        {
            result[key] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }

        if (HttpMethods.IsGet(request.Method) || request.ContentLength == 0 || AuthRules.IsArtifactProxy(path))
        {
            return result;
        }

        // log-batch has MLflow's own limit and message; checking it here spares parsing up to 30 MB to refuse it later.
        var logBatch = AuthRules.IsRpc(path, "runs/log-batch");
        var max = logBatch ? MlflowTrackingApi.MaxBatchRequestBytes : MaxBodyBytes;
        var (bytes, length) = request.ContentLength > max ? (null, request.ContentLength.Value) : await MlflowRequest.ReadBoundedAsync(request.Body, max, cancellationToken);
        if (bytes is null)
        {
            throw logBatch
                ? MlflowTrackingApi.BatchTooLarge(length)
                : MlflowRpc.BodyTooLarge(length);
        }

        request.Body = new MemoryStream(bytes, writable: false);
        try
        {
            if (JsonNode.Parse(bytes) is JsonObject body)
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
