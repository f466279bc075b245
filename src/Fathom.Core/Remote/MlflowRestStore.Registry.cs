using System.Text.Json.Nodes;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Remote;

/// <summary>The model registry over MLflow's REST API: the same server that tracks runs holds the registry.</summary>
internal sealed partial class MlflowRestStore
{
    public IModelRegistryStore ModelRegistry => this;

    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, IReadOnlyList<Tag> tags, string? description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var body = new JsonObject { ["name"] = name };
        if (tags.Count > 0)
        {
            body["tags"] = MlflowJson.ToJson(tags);
        }

        if (description is not null)
        {
            body["description"] = description;
        }

        return Model(await _connection.PostAsync("registered-models/create", body, cancellationToken));
    }

    public async Task<RegisteredModel?> GetRegisteredModelAsync(string name, CancellationToken cancellationToken)
    {
        var response = await _connection.GetOrNullAsync("registered-models/get", [("name", name)], cancellationToken);
        return response is null ? null : Model(response);
    }

    public async Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken cancellationToken) =>
        Model(await _connection.SendJsonAsync(HttpMethod.Patch, "registered-models/update", new JsonObject { ["name"] = name, ["description"] = description }, cancellationToken));

    public async Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken) =>
        Model(await _connection.PostAsync("registered-models/rename", new JsonObject { ["name"] = name, ["new_name"] = newName }, cancellationToken));

    public Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken) =>
        _connection.SendJsonAsync(HttpMethod.Delete, "registered-models/delete", new JsonObject { ["name"] = name }, cancellationToken);

    public async Task<RegisteredModelsPage> SearchRegisteredModelsAsync(RegistrySearch search, CancellationToken cancellationToken)
    {
        var response = await _connection.GetAsync("registered-models/search", SearchQuery(search), cancellationToken);
        var models = (response["registered_models"] as JsonArray ?? []).OfType<JsonObject>().Select(MlflowRegistryEntities.RegisteredModel).ToList();
        return new RegisteredModelsPage(models, NextPageToken(response));
    }

    public async Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<string> stages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var body = new JsonObject { ["name"] = name, ["stages"] = new JsonArray(stages.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()) };
        return Versions(await _connection.PostAsync("registered-models/get-latest-versions", body, cancellationToken));
    }

    public Task SetRegisteredModelTagAsync(string name, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return _connection.PostAsync("registered-models/set-tag", new JsonObject { ["name"] = name, ["key"] = tag.Key, ["value"] = tag.Value }, cancellationToken);
    }

    public Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken cancellationToken) =>
        _connection.SendJsonAsync(HttpMethod.Delete, "registered-models/delete-tag", new JsonObject { ["name"] = name, ["key"] = key }, cancellationToken);

    // The server records who moves an alias from the signed-in user; a client's own claim would prove nothing.
    public Task SetRegisteredModelAliasAsync(string name, string alias, long version, string? actor, CancellationToken cancellationToken) =>
        _connection.PostAsync("registered-models/alias", new JsonObject { ["name"] = name, ["alias"] = alias, ["version"] = MlflowRegistryEntities.Text(version) }, cancellationToken);

    public Task DeleteRegisteredModelAliasAsync(string name, string alias, string? actor, CancellationToken cancellationToken) =>
        _connection.SendJsonAsync(HttpMethod.Delete, "registered-models/alias", new JsonObject { ["name"] = name, ["alias"] = alias }, cancellationToken);

    public async Task<AliasHistoryEntry> RollbackRegisteredModelAliasAsync(string name, string alias, string? actor, CancellationToken cancellationToken) =>
        MlflowRegistryEntities.HistoryEntry((await _connection.PostAsync("registered-models/alias/rollback", new JsonObject { ["name"] = name, ["alias"] = alias }, cancellationToken))["entry"]!.AsObject());

    public async Task<IReadOnlyList<AliasHistoryEntry>> GetAliasHistoryAsync(string name, string? alias, CancellationToken cancellationToken)
    {
        var query = alias is null ? [("name", name)] : new List<(string, string)> { ("name", name), ("alias", alias) };
        var response = await _connection.GetAsync("registered-models/alias/history", query, cancellationToken);
        return (response["history"] as JsonArray ?? []).OfType<JsonObject>().Select(MlflowRegistryEntities.HistoryEntry).ToList();
    }

    public async Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken) =>
        Version(await _connection.GetAsync("registered-models/alias", [("name", name), ("alias", alias)], cancellationToken));

    public async Task<ModelVersion> CreateModelVersionAsync(CreateModelVersionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject { ["name"] = request.Name, ["source"] = request.Source };
        if (request.RunId is not null)
        {
            body["run_id"] = request.RunId;
        }

        if (request.Tags is { Count: > 0 })
        {
            body["tags"] = MlflowJson.ToJson(request.Tags);
        }

        if (request.RunLink is not null)
        {
            body["run_link"] = request.RunLink;
        }

        if (request.Description is not null)
        {
            body["description"] = request.Description;
        }

        return Version(await _connection.PostAsync("model-versions/create", body, cancellationToken));
    }

    public async Task<ModelVersion?> GetModelVersionAsync(string name, long version, CancellationToken cancellationToken)
    {
        var response = await _connection.GetOrNullAsync("model-versions/get", [("name", name), ("version", MlflowRegistryEntities.Text(version))], cancellationToken);
        return response is null ? null : Version(response);
    }

    public async Task<ModelVersion> UpdateModelVersionAsync(string name, long version, string? description, CancellationToken cancellationToken) =>
        Version(await _connection.SendJsonAsync(HttpMethod.Patch, "model-versions/update",
            new JsonObject { ["name"] = name, ["version"] = MlflowRegistryEntities.Text(version), ["description"] = description }, cancellationToken));

    public Task DeleteModelVersionAsync(string name, long version, CancellationToken cancellationToken) =>
        _connection.SendJsonAsync(HttpMethod.Delete, "model-versions/delete", new JsonObject { ["name"] = name, ["version"] = MlflowRegistryEntities.Text(version) }, cancellationToken);

    public async Task<ModelVersion> TransitionModelVersionStageAsync(string name, long version, string stage, bool archiveExistingVersions, string? actor, CancellationToken cancellationToken) =>
        Version(await _connection.PostAsync("model-versions/transition-stage", new JsonObject
        {
            ["name"] = name,
            ["version"] = MlflowRegistryEntities.Text(version),
            ["stage"] = stage,
            ["archive_existing_versions"] = archiveExistingVersions,
        }, cancellationToken));

    public async Task<ModelVersionsPage> SearchModelVersionsAsync(RegistrySearch search, CancellationToken cancellationToken)
    {
        var response = await _connection.GetAsync("model-versions/search", SearchQuery(search), cancellationToken);
        return new ModelVersionsPage(Versions(response), NextPageToken(response));
    }

    public Task SetModelVersionTagAsync(string name, long version, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return _connection.PostAsync("model-versions/set-tag",
            new JsonObject { ["name"] = name, ["version"] = MlflowRegistryEntities.Text(version), ["key"] = tag.Key, ["value"] = tag.Value }, cancellationToken);
    }

    public Task DeleteModelVersionTagAsync(string name, long version, string key, CancellationToken cancellationToken) =>
        _connection.SendJsonAsync(HttpMethod.Delete, "model-versions/delete-tag",
            new JsonObject { ["name"] = name, ["version"] = MlflowRegistryEntities.Text(version), ["key"] = key }, cancellationToken);

    public async Task<string> GetModelVersionDownloadUriAsync(string name, long version, CancellationToken cancellationToken)
    {
        var response = await _connection.GetAsync("model-versions/get-download-uri", [("name", name), ("version", MlflowRegistryEntities.Text(version))], cancellationToken);
        return response["artifact_uri"]?.GetValue<string>() ?? throw new TrackingException(ErrorCode.InternalError, "The tracking server's answer has no 'artifact_uri'.");
    }

    // MLflow's registry searches are GET-only, so their parameters travel in the query string (repeated order_by keys).
    private static List<(string, string)> SearchQuery(RegistrySearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        var query = new List<(string, string)> { ("max_results", MlflowRegistryEntities.Text(search.MaxResults)) };
        if (!string.IsNullOrWhiteSpace(search.Filter))
        {
            query.Add(("filter", search.Filter));
        }

        query.AddRange((search.OrderBy ?? []).Select(o => ("order_by", o)));
        if (!string.IsNullOrEmpty(search.PageToken))
        {
            query.Add(("page_token", search.PageToken));
        }

        return query;
    }

    private static RegisteredModel Model(JsonObject response) =>
        MlflowRegistryEntities.RegisteredModel(response["registered_model"] as JsonObject ?? throw new TrackingException(ErrorCode.InternalError, "The tracking server's answer has no 'registered_model'."));

    private static ModelVersion Version(JsonObject response) =>
        MlflowRegistryEntities.ModelVersion(response["model_version"] as JsonObject ?? throw new TrackingException(ErrorCode.InternalError, "The tracking server's answer has no 'model_version'."));

    private static List<ModelVersion> Versions(JsonObject response) =>
        (response["model_versions"] as JsonArray ?? []).OfType<JsonObject>().Select(MlflowRegistryEntities.ModelVersion).ToList();

    private static string? NextPageToken(JsonObject response) =>
        response["next_page_token"]?.GetValue<string>() is { Length: > 0 } token ? token : null;
}
