using System.Text.Json;
using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// MLflow 3's LoggedModel API (the <c>/mlflow/logged-models</c> RPCs of service.proto), which its clients call from
/// <c>log_model()</c> (create, upload the files to the model's artifact location, finalize) and <c>load_model()</c>
/// (get, then download from that location). Permissions are MLflow basic-auth's: a model's permission is its
/// experiment's; creating one updates the experiment, a search needs READ on every experiment it names.
/// </summary>
internal static partial class MlflowTrackingApi
{
    private static void MapLoggedModels(RouteGroupBuilder group, MlflowState state)
    {
        var model = MlflowResources.LoggedModelId;
        MlflowRpc.Map(group, "POST", "/logged-models", state, CreateLoggedModelAsync, RoutePermission.Experiment(Access.Update, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "GET", "/logged-models/{model_id}", state, GetLoggedModelAsync, RoutePermission.LoggedModel(Access.Read, model));
        MlflowRpc.Map(group, "PATCH", "/logged-models/{model_id}", state, FinalizeLoggedModelAsync, RoutePermission.LoggedModel(Access.Update, model));
        MlflowRpc.Map(group, "DELETE", "/logged-models/{model_id}", state, DeleteLoggedModelAsync, RoutePermission.LoggedModel(Access.Delete, model));
        MlflowRpc.Map(group, "POST", "/logged-models/search", state, SearchLoggedModelsAsync, RoutePermission.Experiments(Access.Read, MlflowResources.ExperimentIds));
        MlflowRpc.Map(group, "PATCH", "/logged-models/{model_id}/tags", state, SetLoggedModelTagsAsync, RoutePermission.LoggedModel(Access.Update, model));
        MlflowRpc.Map(group, "DELETE", "/logged-models/{model_id}/tags/{tag_key}", state, DeleteLoggedModelTagAsync, RoutePermission.LoggedModel(Access.Update, model));
        MlflowRpc.Map(group, "POST", "/logged-models/{model_id}/params", state, LogLoggedModelParamsAsync, RoutePermission.LoggedModel(Access.Update, model));
        MlflowRpc.Map(group, "GET", "/logged-models/{model_id}/artifacts/directories", state, ListLoggedModelArtifactsAsync, RoutePermission.LoggedModel(Access.Read, model));
        // log_model() records the model as an output of the active run; the models must be of the run's experiment.
        MlflowRpc.Map(group, "POST", "/runs/outputs", state, LogOutputsAsync, RoutePermission.Run(Access.Update, MlflowResources.RunIdOnly));
    }

    /// <summary>The store's logged models (every store Fathom opens keeps them; a store that did not would be a fault).</summary>
    internal static ILoggedModelStore LoggedModelStore(MlflowState state) =>
        state.Store as ILoggedModelStore ?? throw new TrackingException(ErrorCode.InternalError, "This tracking store keeps no logged models.");

    private static async Task CreateLoggedModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var model = await LoggedModelStore(state).CreateLoggedModelAsync(
            new LoggedModelCreation(
                MlflowResources.ExperimentId(request),
                NonEmpty(request.String("name")),
                NonEmpty(request.String("model_type")),
                NonEmpty(request.String("source_run_id")),
                ReadModelParams(request),
                ReadPairs(request, "tags")),
            cancellationToken);
        WriteLoggedModelResponse(writer, model);
    }

    private static async Task GetLoggedModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var modelId = MlflowResources.LoggedModelId(request);
        var model = await LoggedModelStore(state).GetLoggedModelAsync(modelId, cancellationToken)
            ?? throw TrackingException.NotFound($"Logged model with ID '{modelId}' not found.");
        WriteLoggedModelResponse(writer, model);
    }

    private static async Task FinalizeLoggedModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var status = request.Enum("status", LoggedModelStatusNames.Parse, LoggedModelStatusNames.FromNumber) ?? throw MlflowRequest.Missing("status");
        var model = await LoggedModelStore(state).FinalizeLoggedModelAsync(MlflowResources.LoggedModelId(request), status, cancellationToken);
        WriteLoggedModelResponse(writer, model);
    }

    private static async Task DeleteLoggedModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await LoggedModelStore(state).DeleteLoggedModelAsync(MlflowResources.LoggedModelId(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task SetLoggedModelTagsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var model = await LoggedModelStore(state).SetLoggedModelTagsAsync(MlflowResources.LoggedModelId(request), ReadPairs(request, "tags"), cancellationToken);
        WriteLoggedModelResponse(writer, model);
    }

    private static async Task DeleteLoggedModelTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var key = request.Route("tag_key") is { Length: > 0 } k ? k : throw MlflowRequest.Missing("tag_key");
        await LoggedModelStore(state).DeleteLoggedModelTagAsync(MlflowResources.LoggedModelId(request), key, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task LogLoggedModelParamsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await LoggedModelStore(state).LogLoggedModelParamsAsync(MlflowResources.LoggedModelId(request), ReadModelParams(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task SearchLoggedModelsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var experimentIds = MlflowResources.ExperimentIds(request);
        if (experimentIds.Count == 0)
        {
            throw MlflowRequest.Missing("experiment_ids");
        }

        var datasets = request.Messages("datasets").Select(d => new LoggedModelDataset(d.RequireString("dataset_name"), NonEmpty(d.String("dataset_digest")))).ToList();
        var orders = request.Messages("order_by").Select(o => new LoggedModelOrder(
            o.RequireString("field_name"), o.Bool("ascending") ?? true, NonEmpty(o.String("dataset_name")), NonEmpty(o.String("dataset_digest")))).ToList();
        var page = await LoggedModelStore(state).SearchLoggedModelsAsync(
            new LoggedModelSearch(experimentIds, request.String("filter"), datasets, ReadMaxResults(request, LoggedModelSearch.DefaultMaxResults), orders, request.String("page_token")),
            cancellationToken);
        writer.WriteStartObject();
        if (page.Models.Count > 0)
        {
            writer.WriteStartArray("models");
            foreach (var model in page.Models)
            {
                WriteLoggedModel(writer, model);
            }

            writer.WriteEndArray();
        }

        WritePageToken(writer, page.NextPageToken);
        writer.WriteEndObject();
    }

    // Lists one folder of the model's files, paths relative to the model's root (as the run listing's are).
    private static async Task ListLoggedModelArtifactsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var modelId = MlflowResources.LoggedModelId(request);
        var model = await LoggedModelStore(state).GetLoggedModelAsync(modelId, cancellationToken)
            ?? throw TrackingException.NotFound($"Logged model with ID '{modelId}' not found.");
        var store = MlflowArtifactsApi.OpenRunArtifacts(state, model.ArtifactLocation);
        var entries = await MlflowArtifactsApi.ListRunArtifactsAsync(store, request.String("artifact_directory_path"), cancellationToken);
        writer.WriteStartObject();
        writer.WriteString("root_uri", model.ArtifactLocation);
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

    private static async Task LogOutputsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunIdOnly(request);
        var models = request.Messages("models").Select(m => (m.RequireString("model_id"), m.Int64("step") ?? 0)).ToList();
        await LoggedModelStore(state).LogRunOutputsAsync(runId, models, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    /// <summary>
    /// The model link a log-metric request carries (MLflow 3's <c>model_id</c>, <c>dataset_name</c>,
    /// <c>dataset_digest</c>), or null when it names no model: a data set alone is not kept.
    /// </summary>
    internal static LoggedModelMetric? ReadModelLink(MlflowRequest request, Metric metric)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(metric);
        return NonEmpty(request.String("model_id")) is { } modelId
            ? new LoggedModelMetric(modelId, metric.Key, metric.Value, metric.Timestamp, metric.Step, string.Empty, NonEmpty(request.String("dataset_name")), NonEmpty(request.String("dataset_digest")))
            : null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static List<Param> ReadModelParams(MlflowRequest request) =>
        request.Messages("params").Select(p => new Param(p.RequireString("key"), p.String("value") ?? string.Empty)).ToList();

    private static void WriteLoggedModelResponse(Utf8JsonWriter writer, LoggedModel model)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("model");
        WriteLoggedModel(writer, model);
        writer.WriteEndObject();
    }

    /// <summary>A LoggedModel (service.proto) as MLflow's server writes it: proto field order, unset fields left out.</summary>
    internal static void WriteLoggedModel(Utf8JsonWriter writer, LoggedModel model)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(model);
        writer.WriteStartObject();
        writer.WriteStartObject("info");
        writer.WriteString("model_id", model.ModelId);
        writer.WriteString("experiment_id", model.ExperimentId);
        writer.WriteString("name", model.Name);
        writer.WriteNumber("creation_timestamp_ms", model.CreationTimestampMs);
        writer.WriteNumber("last_updated_timestamp_ms", model.LastUpdatedTimestampMs);
        writer.WriteString("artifact_uri", model.ArtifactLocation);
        writer.WriteString("status", model.Status.ToWire());
        WriteOptional(writer, "model_type", model.ModelType);
        WriteOptional(writer, "source_run_id", model.SourceRunId);
        WriteOptional(writer, "status_message", model.StatusMessage);
        MlflowJson.WriteTags(writer, "tags", model.Tags);
        writer.WriteEndObject();
        writer.WriteStartObject("data");
        MlflowJson.WriteTags(writer, "params", [.. model.Params.Select(p => new Tag(p.Key, p.Value))]);
        if (model.Metrics.Count > 0)
        {
            writer.WriteStartArray("metrics");
            foreach (var metric in model.Metrics)
            {
                writer.WriteStartObject();
                writer.WriteString("key", metric.Key);
                MlflowJson.WriteDouble(writer, "value", metric.Value);
                writer.WriteNumber("timestamp", metric.Timestamp);
                writer.WriteNumber("step", metric.Step);
                WriteOptional(writer, "dataset_name", metric.DatasetName);
                WriteOptional(writer, "dataset_digest", metric.DatasetDigest);
                writer.WriteString("model_id", metric.ModelId);
                writer.WriteString("run_id", metric.RunId);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
