using System.Text.Json;
using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    /// <summary>MLflow's MAX_BATCH_LOG_REQUEST_SIZE; the auth layer refuses a longer log-batch body before reading it.</summary>
    internal const long MaxBatchRequestBytes = 1_000_000;

    private static void MapRuns(RouteGroupBuilder group, MlflowState state)
    {
        MlflowRpc.Map(group, "POST", "/runs/create", state, CreateRunAsync, RoutePermission.Experiment(Access.Update, MlflowResources.ExperimentOfNewRun));
        MlflowRpc.Map(group, "POST", "/runs/update", state, UpdateRunAsync, RoutePermission.Run(Access.Update, MlflowResources.RunId));
        MlflowRpc.Map(group, "POST", "/runs/delete", state, DeleteRunAsync, RoutePermission.Run(Access.Delete, MlflowResources.RunIdOnly));
        MlflowRpc.Map(group, "POST", "/runs/restore", state, RestoreRunAsync, RoutePermission.Run(Access.Delete, MlflowResources.RunIdOnly));
        MlflowRpc.Map(group, "GET", "/runs/get", state, GetRunAsync, RoutePermission.Run(Access.Read, MlflowResources.RunId));
        MlflowRpc.Map(group, "POST", "/runs/log-metric", state, LogMetricAsync, RoutePermission.Run(Access.Update, MlflowResources.RunId));
        MlflowRpc.Map(group, "POST", "/runs/log-parameter", state, LogParamAsync, RoutePermission.Run(Access.Update, MlflowResources.RunId));
        MlflowRpc.Map(group, "POST", "/runs/set-tag", state, SetTagAsync, RoutePermission.Run(Access.Update, MlflowResources.RunId));
        MlflowRpc.Map(group, "POST", "/runs/delete-tag", state, DeleteTagAsync, RoutePermission.Run(Access.Update, MlflowResources.RunIdOnly));
        MlflowRpc.Map(group, "POST", "/runs/log-batch", state, LogBatchAsync, RoutePermission.Run(Access.Update, r => LogBatchReader.Of(r).RunId), LogBatchRoute);
        MlflowRpc.Map(group, "POST", "/runs/log-inputs", state, LogInputsAsync, RoutePermission.Run(Access.Update, MlflowResources.RunIdOnly));
        MlflowRpc.Map(group, "POST", "/runs/log-model", state, LogModelAsync, RoutePermission.Run(Access.Update, MlflowResources.RunIdOnly));
        // Any signed-in user may search; the auth layer narrows experiment_ids to what the caller may read first.
        MlflowRpc.Map(group, "POST", "/runs/search", state, SearchRunsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.NarrowExperimentIds);
        MlflowRpc.Map(group, "GET", "/runs/search", state, SearchRunsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.NarrowExperimentIds);
        MlflowRpc.Map(group, "GET", "/artifacts/list", state, ListArtifactsAsync, RoutePermission.Run(Access.Read, MlflowResources.RunId));
    }

    private static async Task CreateRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var info = await state.Store.CreateRunAsync(
            new CreateRunRequest(
                MlflowResources.ExperimentOfNewRun(request),
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
        var info = await state.Store.UpdateRunAsync(MlflowResources.RunId(request), status, request.Int64("end_time"), request.String("run_name"), cancellationToken);
        writer.WriteStartObject();
        writer.WritePropertyName("run_info");
        MlflowJson.WriteRunInfo(writer, info);
        writer.WriteEndObject();
    }

    private static async Task DeleteRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Store.DeleteRunAsync(MlflowResources.RunIdOnly(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task RestoreRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Store.RestoreRunAsync(MlflowResources.RunIdOnly(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static Task GetRunAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken) =>
        WriteRunResponseAsync(state, writer, MlflowResources.RunId(request), cancellationToken);

    private static async Task LogMetricAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunId(request);
        var metric = LogBatchReader.ReadMetric(request);
        // The model link goes first: it is the write that can be refused (a model of another experiment), and it checks
        // the run is active, so a refused request stores nothing on the run either.
        if (ReadModelLink(request, metric) is { } link)
        {
            await LoggedModelStore(state).LogLoggedModelMetricsAsync(runId, [link], cancellationToken);
        }

        await state.Store.LogBatchAsync(runId, [metric], [], [], cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task LogParamAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunId(request);
        var param = new Param(request.RequireString("key"), request.String("value") ?? string.Empty);
        await state.Store.LogBatchAsync(runId, [], [param], [], cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task SetTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunId(request);
        var tag = new Tag(request.RequireString("key"), request.String("value") ?? string.Empty);
        await state.Store.LogBatchAsync(runId, [], [], [tag], cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunIdOnly(request);
        await state.Store.DeleteTagAsync(runId, request.RequireString("key"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    /// <summary>log-batch reads at most MLflow's MAX_BATCH_LOG_REQUEST_SIZE, and keeps the bytes for its one-pass reader.</summary>
    private static readonly MlflowRoute LogBatchRoute = new(MaxBatchRequestBytes, BatchTooLarge, KeepsRawBody: true);

    /// <summary>MLflow's refusal of a log-batch body longer than <see cref="MaxBatchRequestBytes"/>.</summary>
    internal static TrackingException BatchTooLarge(long size) =>
        TrackingException.Invalid($"Batched logging API requests must be at most {MaxBatchRequestBytes} bytes, got a request of size {size}.");

    private static async Task LogBatchAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var batch = LogBatchReader.Of(request);
        // As in log-metric: the links that can be refused go first.
        if (batch.ModelMetrics.Count > 0)
        {
            await LoggedModelStore(state).LogLoggedModelMetricsAsync(batch.RunId, batch.ModelMetrics, cancellationToken);
        }

        await state.Store.LogBatchAsync(batch.RunId, batch.Metrics, batch.Params, batch.Tags, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task LogInputsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunIdOnly(request);
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
                MlflowResources.ExperimentIds(request),
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
        var runId = MlflowResources.RunId(request);
        var run = await state.Store.GetRunAsync(runId, cancellationToken) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
        var store = MlflowArtifactsApi.OpenRunArtifacts(state, run.Info.ArtifactUri);
        var entries = await MlflowArtifactsApi.ListRunArtifactsAsync(store, request.String("path"), cancellationToken);
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
