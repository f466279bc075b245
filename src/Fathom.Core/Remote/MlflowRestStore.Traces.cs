using System.Globalization;
using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Remote;

/// <summary>MLflow's tracing API (v2) over HTTP, as its 2.14+ clients call it.</summary>
internal sealed partial class MlflowRestStore : ITraceStore
{
    public async Task<TraceInfo> StartTraceAsync(string experimentId, long timestampMs, IReadOnlyList<Tag> requestMetadata, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["timestamp_ms"] = timestampMs,
            ["request_metadata"] = MlflowJson.ToJson(requestMetadata),
            ["tags"] = MlflowJson.ToJson(tags),
        };
        return Trace(await _connection.PostAsync("traces", body, cancellationToken));
    }

    public async Task<TraceInfo> EndTraceAsync(string requestId, long timestampMs, TraceStatus status, IReadOnlyList<Tag> requestMetadata, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["timestamp_ms"] = timestampMs,
            ["status"] = status.ToWire(),
            ["request_metadata"] = MlflowJson.ToJson(requestMetadata),
            ["tags"] = MlflowJson.ToJson(tags),
        };
        return Trace(await _connection.SendJsonAsync(HttpMethod.Patch, "traces/" + Uri.EscapeDataString(requestId), body, cancellationToken));
    }

    public async Task<TraceInfo?> GetTraceInfoAsync(string requestId, CancellationToken cancellationToken)
    {
        var response = await _connection.GetOrNullAsync($"traces/{Uri.EscapeDataString(requestId)}/info", [], cancellationToken);
        return response is null ? null : Trace(response);
    }

    public async Task<TracesPage> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        // MLflow's client searches traces with a GET, lists as repeated keys.
        var query = search.ExperimentIds.Select(id => ("experiment_ids", id)).ToList();
        query.Add(("max_results", search.MaxResults.ToString(CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(search.Filter))
        {
            query.Add(("filter", search.Filter));
        }

        query.AddRange((search.OrderBy ?? []).Select(o => ("order_by", o)));
        if (!string.IsNullOrEmpty(search.PageToken))
        {
            query.Add(("page_token", search.PageToken));
        }

        var response = await _connection.GetAsync("traces", query, cancellationToken);
        var token = response["next_page_token"]?.GetValue<string>();
        return new TracesPage((response["traces"] as JsonArray ?? []).OfType<JsonObject>().Select(TraceInfo).ToList(), string.IsNullOrEmpty(token) ? null : token);
    }

    public async Task<int> DeleteTracesAsync(TraceDeletion deletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        var body = new JsonObject { ["experiment_id"] = deletion.ExperimentId };
        if (deletion.MaxTimestampMillis is { } before)
        {
            body["max_timestamp_millis"] = before;
        }

        if (deletion.MaxTraces is { } most)
        {
            body["max_traces"] = most;
        }

        if (deletion.RequestIds.Count > 0)
        {
            body["request_ids"] = new JsonArray(deletion.RequestIds.Select(id => (JsonNode?)JsonValue.Create(id)).ToArray());
        }

        var response = await _connection.PostAsync("traces/delete-traces", body, cancellationToken);
        return response["traces_deleted"] is JsonValue deleted ? deleted.GetValue<int>() : 0;
    }

    public Task SetTraceTagAsync(string requestId, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return _connection.SendJsonAsync(HttpMethod.Patch, $"traces/{Uri.EscapeDataString(requestId)}/tags", new JsonObject { ["key"] = tag.Key, ["value"] = tag.Value }, cancellationToken);
    }

    public Task DeleteTraceTagAsync(string requestId, string key, CancellationToken cancellationToken) =>
        _connection.SendJsonAsync(HttpMethod.Delete, $"traces/{Uri.EscapeDataString(requestId)}/tags", new JsonObject { ["key"] = key }, cancellationToken);

    private static TraceInfo Trace(JsonObject response) =>
        TraceInfo(response["trace_info"] as JsonObject ?? throw new TrackingException(ErrorCode.InternalError, "The server answered a trace call without a trace_info."));

    private static TraceInfo TraceInfo(JsonObject json) => new(
        MlflowJson.String(json, "request_id"),
        MlflowJson.String(json, "experiment_id"),
        MlflowJson.Int64(json, "timestamp_ms"),
        json["execution_time_ms"] is null ? null : MlflowJson.Int64(json, "execution_time_ms"),
        json["status"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var name) => TraceStatusNames.Parse(name) ?? TraceStatus.Unspecified,
            JsonValue v when v.TryGetValue<long>(out var number) => TraceStatusNames.FromNumber(number) ?? TraceStatus.Unspecified,
            _ => TraceStatus.Unspecified,
        },
        MlflowJson.Tags(json["request_metadata"]),
        MlflowJson.Tags(json["tags"]));
}
