using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    /// <summary>MLflow's MAX_BATCH_LOG_REQUEST_SIZE; the auth layer refuses a longer log-batch body before reading it.</summary>
    internal const long MaxBatchRequestBytes = 1_000_000;

    private static void MapRuns(RouteGroupBuilder group, MlflowState state)
    {
        MlflowRpc.Map(group, "POST", "/runs/create", state, CreateRunAsync);
        MlflowRpc.Map(group, "POST", "/runs/update", state, UpdateRunAsync);
        MlflowRpc.Map(group, "POST", "/runs/delete", state, DeleteRunAsync);
        MlflowRpc.Map(group, "POST", "/runs/restore", state, RestoreRunAsync);
        MlflowRpc.Map(group, "GET", "/runs/get", state, GetRunAsync);
        MlflowRpc.Map(group, "POST", "/runs/log-metric", state, LogMetricAsync);
        MlflowRpc.Map(group, "POST", "/runs/log-parameter", state, LogParamAsync);
        MlflowRpc.Map(group, "POST", "/runs/set-tag", state, SetTagAsync);
        MlflowRpc.Map(group, "POST", "/runs/delete-tag", state, DeleteTagAsync);
        MlflowRpc.Map(group, "POST", "/runs/log-batch", state, LogBatchAsync, MaxBatchRequestBytes);
        MlflowRpc.Map(group, "POST", "/runs/log-inputs", state, LogInputsAsync);
        MlflowRpc.Map(group, "POST", "/runs/log-model", state, LogModelAsync);
        MlflowRpc.Map(group, "POST", "/runs/search", state, SearchRunsAsync);
        MlflowRpc.Map(group, "GET", "/runs/search", state, SearchRunsAsync);
        MlflowRpc.Map(group, "GET", "/artifacts/list", state, ListArtifactsAsync);
    }

    // run_id wins over the deprecated run_uuid; either satisfies the required check (MLflow's handlers).
    private static string RunIdOrUuid(MlflowRequest request) =>
        request.String("run_id") is { Length: > 0 } id ? id
        : request.String("run_uuid") is { Length: > 0 } uuid ? uuid
        : throw MlflowRequest.Missing("run_id");

    private static async Task CreateRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var info = await state.Store.CreateRunAsync(
            new CreateRunRequest(
                request.String("experiment_id") is { Length: > 0 } experiment ? experiment : "0",
                request.String("run_name") is { Length: > 0 } name ? name : null,
                request.String("user_id") ?? string.Empty,
                request.Int64("start_time") ?? state.Time.GetUtcNow().ToUnixTimeMilliseconds(),
                ReadTags(request, "tags")),
            cancellationToken);
        await WriteRunResponseAsync(state, writer, info.RunId, cancellationToken);
    }

    private static async Task UpdateRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var status = request.Enum("status", RunStatusNames.Parse, n => n is >= 1 and <= 5 ? (RunStatus)n : null);
        var info = await state.Store.UpdateRunAsync(RunIdOrUuid(request), status, request.Int64("end_time"), request.String("run_name"), cancellationToken);
        writer.WriteStartObject();
        writer.WritePropertyName("run_info");
        MlflowJson.WriteRunInfo(writer, info);
        writer.WriteEndObject();
    }

    private static async Task DeleteRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Store.DeleteRunAsync(request.RequireString("run_id"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task RestoreRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Store.RestoreRunAsync(request.RequireString("run_id"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static Task GetRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken) =>
        WriteRunResponseAsync(state, writer, RunIdOrUuid(request), cancellationToken);

    private static async Task LogMetricAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = RunIdOrUuid(request);
        await state.Store.LogBatchAsync(runId, [LogBatchReader.ReadMetric(request)], [], [], cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task LogParamAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = RunIdOrUuid(request);
        var param = new Param(request.RequireString("key"), request.String("value") ?? string.Empty);
        await state.Store.LogBatchAsync(runId, [], [param], [], cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task SetTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = RunIdOrUuid(request);
        var tag = new Tag(request.RequireString("key"), request.String("value") ?? string.Empty);
        await state.Store.LogBatchAsync(runId, [], [], [tag], cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = request.RequireString("run_id");
        await state.Store.DeleteTagAsync(runId, request.RequireString("key"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    /// <summary>MLflow's refusal of a log-batch body longer than <see cref="MaxBatchRequestBytes"/>.</summary>
    internal static TrackingException BatchTooLarge(long size) =>
        TrackingException.Invalid($"Batched logging API requests must be at most {MaxBatchRequestBytes} bytes, got a request of size {size}.");

    private static async Task LogBatchAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        // MLflow's MAX_BATCH_LOG_REQUEST_SIZE, on the bytes the body really held (the route counts them as it reads).
        if (request.BodyLength is { } length && length > MaxBatchRequestBytes)
        {
            throw BatchTooLarge(length);
        }

        // The one-pass reader takes the usual body; anything it does not take, the general one reads or refuses.
        var batch = LogBatchReader.TryRead(request.RawBody) ?? LogBatchReader.Read(request);
        await state.Store.LogBatchAsync(batch.RunId, batch.Metrics, batch.Params, batch.Tags, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task LogInputsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = request.RequireString("run_id");
        var inputs = request.Messages("datasets").Select(input =>
        {
            var d = input.Message("dataset") ?? throw MlflowRequest.Missing("dataset");
            return new DatasetInput(
                new Dataset(d.RequireString("name"), d.RequireString("digest"), d.RequireString("source_type"), d.RequireString("source"), d.String("schema"), d.String("profile")),
                input.Messages("tags").Select(t => new Tag(t.RequireString("key"), t.RequireString("value"))).ToList());
        }).ToList();
        await state.Store.LogInputsAsync(runId, inputs, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task SearchRunsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var page = await state.Store.SearchRunsAsync(
            new RunSearch(
                request.StringList("experiment_ids"),
                ReadViewType(request, "run_view_type"),
                ReadMaxResults(request, 1000),
                request.String("page_token"),
                request.String("filter"),
                request.StringList("order_by")),
            cancellationToken);
        writer.WriteStartObject();
        if (page.Runs.Count > 0)
        {
            writer.WriteStartArray("runs");
            foreach (var run in page.Runs)
            {
                MlflowJson.WriteRun(writer, run);
            }

            writer.WriteEndArray();
        }

        WritePageToken(writer, page.NextPageToken);
        writer.WriteEndObject();
    }

    private static async Task ListArtifactsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = RunIdOrUuid(request);
        var run = await state.Store.GetRunAsync(runId, cancellationToken) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
        var store = MlflowArtifactsApi.OpenRunArtifacts(state, run.Info.ArtifactUri);
        var entries = await MlflowArtifactsApi.ListAsync(store, request.String("path"), cancellationToken);
        writer.WriteStartObject();
        writer.WriteString("root_uri", run.Info.ArtifactUri);
        if (entries.Count > 0)
        {
            writer.WriteStartArray("files");
            foreach (var entry in entries)
            {
                MlflowArtifactsApi.WriteFileInfo(writer, entry.Path, entry);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static async Task WriteRunResponseAsync(MlflowState state, Utf8JsonWriter writer, string runId, CancellationToken cancellationToken)
    {
        var run = await state.Store.GetRunAsync(runId, cancellationToken) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
        writer.WriteStartObject();
        writer.WritePropertyName("run");
        MlflowJson.WriteRun(writer, run);
        writer.WriteEndObject();
    }
}
