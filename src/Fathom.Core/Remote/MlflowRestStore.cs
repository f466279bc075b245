using System.Globalization;
using System.Text.Json.Nodes;
using Fathom.Registry;
using Fathom.Storage;
using Fathom.Tracking;

namespace Fathom.Remote;

/// <summary>
/// The tracking store behind an MLflow REST API (<c>http(s)://…</c>): Fathom's own server or a real MLflow server.
/// It implements the same port as the SQLite store, so the SDK and the CLI work unchanged against either.
/// </summary>
internal sealed partial class MlflowRestStore : ITrackingStore, IModelRegistryProvider, IModelRegistryStore, IArtifactProxy
{
    // MLflow's server caps search pages at 50,000 runs; its own clients page experiments by 1,000.
    private const int PageSize = 1000;

    private readonly MlflowConnection _connection;

    public MlflowRestStore(MlflowConnection connection) => _connection = connection;

    public Uri TrackingUri => _connection.BaseUri;

    public void AddArtifactStores(ArtifactStoreResolver artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        artifacts.Register("mlflow-artifacts", root => new MlflowArtifactsStore(_connection, root));
    }

    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["name"] = name };
        if (!string.IsNullOrEmpty(artifactLocation))
        {
            body["artifact_location"] = artifactLocation;
        }

        if (tags.Count > 0)
        {
            body["tags"] = MlflowJson.ToJson(tags);
        }

        var response = await _connection.PostAsync("experiments/create", body, cancellationToken);
        return response["experiment_id"]!.ToString();
    }

    public async Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        var response = await _connection.GetOrNullAsync("experiments/get", [("experiment_id", experimentId)], cancellationToken);
        return response?["experiment"] is JsonObject json ? MlflowJson.Experiment(json) : null;
    }

    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        var response = await _connection.GetOrNullAsync("experiments/get-by-name", [("experiment_name", name)], cancellationToken);
        return response?["experiment"] is JsonObject json ? MlflowJson.Experiment(json) : null;
    }

    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(ViewType viewType, CancellationToken cancellationToken)
    {
        var experiments = new List<Experiment>();
        string? token = null;
        do
        {
            var body = new JsonObject { ["max_results"] = PageSize, ["view_type"] = MlflowJson.ViewType(viewType) };
            if (token is not null)
            {
                body["page_token"] = token;
            }

            var response = await _connection.PostAsync("experiments/search", body, cancellationToken);
            experiments.AddRange((response["experiments"] as JsonArray ?? []).OfType<JsonObject>().Select(MlflowJson.Experiment));
            token = response["next_page_token"]?.GetValue<string>();
        }
        while (!string.IsNullOrEmpty(token));

        return experiments.OrderBy(e => long.TryParse(e.ExperimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : long.MaxValue).ToList();
    }

    public async Task<ExperimentsPage> SearchExperimentsAsync(ExperimentSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var body = new JsonObject { ["max_results"] = search.MaxResults, ["view_type"] = MlflowJson.ViewType(search.ViewType) };
        AddSearchFields(body, search.PageToken, search.Filter, search.OrderBy);
        var response = await _connection.PostAsync("experiments/search", body, cancellationToken);
        var token = response["next_page_token"]?.GetValue<string>();
        return new ExperimentsPage((response["experiments"] as JsonArray ?? []).OfType<JsonObject>().Select(MlflowJson.Experiment).ToList(), string.IsNullOrEmpty(token) ? null : token);
    }

    public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken) =>
        _connection.PostAsync("experiments/update", new JsonObject { ["experiment_id"] = experimentId, ["new_name"] = newName }, cancellationToken);

    public Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return _connection.PostAsync("experiments/set-experiment-tag", new JsonObject { ["experiment_id"] = experimentId, ["key"] = tag.Key, ["value"] = tag.Value }, cancellationToken);
    }

    public Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken cancellationToken) =>
        _connection.PostAsync("experiments/delete-experiment-tag", new JsonObject { ["experiment_id"] = experimentId, ["key"] = key }, cancellationToken);

    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        _connection.PostAsync("experiments/delete", new JsonObject { ["experiment_id"] = experimentId }, cancellationToken);

    public Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        _connection.PostAsync("experiments/restore", new JsonObject { ["experiment_id"] = experimentId }, cancellationToken);

    public async Task<RunInfo> CreateRunAsync(CreateRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject
        {
            ["experiment_id"] = request.ExperimentId,
            ["user_id"] = request.UserId,
            ["start_time"] = request.StartTime,
            ["tags"] = MlflowJson.ToJson(request.Tags),
        };
        if (request.RunName is not null)
        {
            body["run_name"] = request.RunName;
        }

        var response = await _connection.PostAsync("runs/create", body, cancellationToken);
        return MlflowJson.Run((JsonObject)response["run"]!).Info;
    }

    public async Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var response = await _connection.GetOrNullAsync("runs/get", [("run_id", runId)], cancellationToken);
        return response?["run"] is JsonObject json ? MlflowJson.Run(json) : null;
    }

    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["run_id"] = runId, ["run_uuid"] = runId };
        if (status is not null)
        {
            body["status"] = status.Value.ToWire();
        }

        if (endTime is not null)
        {
            body["end_time"] = endTime.Value;
        }

        if (runName is not null)
        {
            body["run_name"] = runName;
        }

        var response = await _connection.PostAsync("runs/update", body, cancellationToken);
        return response["run_info"] is JsonObject info
            ? MlflowJson.RunInfo(info)
            : (await GetRunAsync(runId, cancellationToken))?.Info ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"Run with id={runId} not found");
    }

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) =>
        _connection.PostAsync("runs/delete", new JsonObject { ["run_id"] = runId }, cancellationToken);

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) =>
        _connection.PostAsync("runs/restore", new JsonObject { ["run_id"] = runId }, cancellationToken);

    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        var body = new JsonObject
        {
            ["run_id"] = runId,
            ["metrics"] = new JsonArray(metrics.Select(m => (JsonNode)MlflowJson.ToJson(m)).ToArray()),
            ["params"] = new JsonArray(parameters.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value }).ToArray()),
            ["tags"] = MlflowJson.ToJson(tags),
        };
        return _connection.PostAsync("runs/log-batch", body, cancellationToken);
    }

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var body = new JsonObject { ["run_id"] = runId, ["datasets"] = new JsonArray(inputs.Select(i => (JsonNode)MlflowJson.ToJson(i)).ToArray()) };
        return _connection.PostAsync("runs/log-inputs", body, cancellationToken);
    }

    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken) =>
        _connection.PostAsync("runs/delete-tag", new JsonObject { ["run_id"] = runId, ["key"] = key }, cancellationToken);

    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken)
    {
        var history = new List<Metric>();
        string? token = null;
        do
        {
            // MLflow's clients page the history by 25,000 points.
            var query = new List<(string, string)> { ("run_id", runId), ("metric_key", key), ("max_results", "25000") };
            if (token is not null)
            {
                query.Add(("page_token", token));
            }

            var response = await _connection.GetAsync("metrics/get-history", query, cancellationToken);
            history.AddRange((response["metrics"] as JsonArray ?? []).OfType<JsonObject>().Select(MlflowJson.Metric));
            token = response["next_page_token"]?.GetValue<string>();
        }
        while (!string.IsNullOrEmpty(token));

        return history;
    }

    public async Task<RunsPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var body = new JsonObject
        {
            ["experiment_ids"] = new JsonArray(search.ExperimentIds.Select(id => (JsonNode)JsonValue.Create(id)).ToArray()),
            ["run_view_type"] = MlflowJson.ViewType(search.ViewType),
            ["max_results"] = search.MaxResults,
        };
        AddSearchFields(body, search.PageToken, search.Filter, search.OrderBy);
        var response = await _connection.PostAsync("runs/search", body, cancellationToken);
        var runs = (response["runs"] as JsonArray ?? []).OfType<JsonObject>().Select(MlflowJson.Run).ToList();
        var token = response["next_page_token"]?.GetValue<string>();
        return new RunsPage(runs, string.IsNullOrEmpty(token) ? null : token);
    }

    private static void AddSearchFields(JsonObject body, string? pageToken, string? filter, IReadOnlyList<string>? orderBy)
    {
        if (!string.IsNullOrEmpty(pageToken))
        {
            body["page_token"] = pageToken;
        }

        if (!string.IsNullOrWhiteSpace(filter))
        {
            body["filter"] = filter;
        }

        if (orderBy is { Count: > 0 })
        {
            body["order_by"] = new JsonArray(orderBy.Select(o => (JsonNode)JsonValue.Create(o)).ToArray());
        }
    }

    public ValueTask DisposeAsync()
    {
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }
}
