using System.Text.Json;
using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// MLflow's tracing API, v2 (the <c>/mlflow/traces</c> RPCs its 2.14+ clients call, and 3.x still serves): a trace is
/// started and ended as its client's spans open and close, and found again by search. The spans themselves are the
/// trace's artifact, <c>traces.json</c>, which the client writes below the location in the trace's
/// <c>mlflow.artifactLocation</c> tag (through the artifact proxy for an <c>mlflow-artifacts:</c> location). Permissions
/// are MLflow basic-auth's: starting a trace updates its experiment, reading or changing one needs READ or UPDATE on
/// the trace's experiment, a search READ on every experiment it names, a deletion DELETE on the experiment.
/// </summary>
internal static partial class MlflowTrackingApi
{
    private static void MapTraces(RouteGroupBuilder group, MlflowState state)
    {
        MlflowRpc.Map(group, "POST", "/traces", state, StartTraceAsync, RoutePermission.Experiment(Access.Update, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "GET", "/traces", state, SearchTracesAsync, RoutePermission.Experiments(Access.Read, MlflowResources.ExperimentIds));
        MlflowRpc.Map(group, "PATCH", "/traces/{request_id}", state, EndTraceAsync, RoutePermission.Trace(Access.Update, MlflowResources.TraceRequestId));
        MlflowRpc.Map(group, "GET", "/traces/{request_id}/info", state, GetTraceInfoAsync, RoutePermission.Trace(Access.Read, MlflowResources.TraceRequestId));
        MlflowRpc.Map(group, "POST", "/traces/delete-traces", state, DeleteTracesAsync, RoutePermission.Experiment(Access.Delete, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "PATCH", "/traces/{request_id}/tags", state, SetTraceTagAsync, RoutePermission.Trace(Access.Update, MlflowResources.TraceRequestId));
        MlflowRpc.Map(group, "DELETE", "/traces/{request_id}/tags", state, DeleteTraceTagAsync, RoutePermission.Trace(Access.Update, MlflowResources.TraceRequestId));
    }

    /// <summary>The store's traces (every store Fathom opens keeps them; a store that did not would be a fault).</summary>
    internal static ITraceStore TraceStore(MlflowState state) =>
        state.Store as ITraceStore ?? throw new TrackingException(ErrorCode.InternalError, "This tracking store keeps no traces.");

    private static async Task StartTraceAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var trace = await TraceStore(state).StartTraceAsync(
            MlflowResources.ExperimentId(request), request.Int64("timestamp_ms") ?? 0, ReadPairs(request, "request_metadata"), ReadPairs(request, "tags"), cancellationToken);
        WriteTraceInfoResponse(writer, trace);
    }

    private static async Task EndTraceAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        // An absent status is the enum's zero, TRACE_STATUS_UNSPECIFIED, as protobuf reads it.
        var status = request.Enum("status", TraceStatusNames.Parse, TraceStatusNames.FromNumber) ?? TraceStatus.Unspecified;
        var trace = await TraceStore(state).EndTraceAsync(
            MlflowResources.TraceRequestId(request), request.Int64("timestamp_ms") ?? 0, status, ReadPairs(request, "request_metadata"), ReadPairs(request, "tags"), cancellationToken);
        WriteTraceInfoResponse(writer, trace);
    }

    private static async Task GetTraceInfoAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var requestId = MlflowResources.TraceRequestId(request);
        var trace = await TraceStore(state).GetTraceInfoAsync(requestId, cancellationToken)
            ?? throw TrackingException.NotFound($"Trace with request_id '{requestId}' not found.");
        WriteTraceInfoResponse(writer, trace);
    }

    private static async Task SearchTracesAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var experimentIds = MlflowResources.ExperimentIds(request);
        if (experimentIds.Count == 0)
        {
            throw MlflowRequest.Missing("experiment_ids");
        }

        var page = await TraceStore(state).SearchTracesAsync(
            new TraceSearch(experimentIds, request.String("filter"), ReadMaxResults(request, TraceSearch.DefaultMaxResults), request.StringList("order_by"), request.String("page_token")),
            cancellationToken);
        writer.WriteStartObject();
        if (page.Traces.Count > 0)
        {
            writer.WriteStartArray("traces");
            foreach (var trace in page.Traces)
            {
                WriteTraceInfo(writer, trace);
            }

            writer.WriteEndArray();
        }

        WritePageToken(writer, page.NextPageToken);
        writer.WriteEndObject();
    }

    // MLflow's client checks these before it calls; the server refuses them too, so that no other client deletes a
    // whole experiment's traces by leaving both criteria out.
    private static async Task DeleteTracesAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var experimentId = MlflowResources.ExperimentId(request);
        var before = request.Int64("max_timestamp_millis");
        var most = request.Int64("max_traces");
        var ids = request.StringList("request_ids");
        if (before is null && ids.Count == 0)
        {
            throw TrackingException.Invalid("Either `max_timestamp_millis` or `request_ids` must be specified.");
        }

        if (before is not null && ids.Count > 0)
        {
            throw TrackingException.Invalid("Only one of `max_timestamp_millis` and `request_ids` can be specified.");
        }

        if (most is not null && ids.Count > 0)
        {
            throw TrackingException.Invalid("`max_traces` can't be specified if `request_ids` is specified.");
        }

        if (most is < 1 or > int.MaxValue)
        {
            throw TrackingException.Invalid($"Invalid value {most} for parameter 'max_traces' supplied. It must be a positive integer.");
        }

        var deleted = await TraceStore(state).DeleteTracesAsync(new TraceDeletion(experimentId, before, (int?)most, ids), cancellationToken);
        writer.WriteStartObject();
        writer.WriteNumber("traces_deleted", deleted);
        writer.WriteEndObject();
    }

    private static async Task SetTraceTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await TraceStore(state).SetTraceTagAsync(MlflowResources.TraceRequestId(request), new Tag(request.RequireString("key"), request.String("value") ?? string.Empty), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteTraceTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await TraceStore(state).DeleteTraceTagAsync(MlflowResources.TraceRequestId(request), request.RequireString("key"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    // request_metadata and tags are repeated {key, value} messages; each needs its key (MLflow's _assert_map_key_present).
    private static List<Tag> ReadPairs(MlflowRequest request, string name) =>
        request.Messages(name).Select(p => new Tag(p.RequireString("key"), p.String("value") ?? string.Empty)).ToList();

    private static void WriteTraceInfoResponse(Utf8JsonWriter writer, TraceInfo trace)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("trace_info");
        WriteTraceInfo(writer, trace);
        writer.WriteEndObject();
    }

    /// <summary>A TraceInfo (service.proto) as MLflow's server writes it: proto field order, unset fields left out.</summary>
    internal static void WriteTraceInfo(Utf8JsonWriter writer, TraceInfo trace)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(trace);
        writer.WriteStartObject();
        writer.WriteString("request_id", trace.RequestId);
        writer.WriteString("experiment_id", trace.ExperimentId);
        writer.WriteNumber("timestamp_ms", trace.TimestampMs);
        if (trace.ExecutionTimeMs is { } duration)
        {
            writer.WriteNumber("execution_time_ms", duration);
        }

        writer.WriteString("status", trace.Status.ToWire());
        MlflowJson.WriteTags(writer, "request_metadata", trace.RequestMetadata);
        MlflowJson.WriteTags(writer, "tags", trace.Tags);
        writer.WriteEndObject();
    }
}
