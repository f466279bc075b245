using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>The model registry REST API on a real server, called with the verbs and shapes MLflow's clients use.</summary>
public sealed class MlflowRegistryApiTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private const string Api = "/api/2.0/mlflow";
    private readonly MlflowClient _client = new(fixture.Http);

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement> OkAsync(HttpMethod method, string path, object? body = null)
    {
        var (status, json) = await SendAsync(method, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {status} {json}");
        return json;
    }

    private static string[] Versions(JsonElement body, string property = "model_versions") =>
        body.TryGetProperty(property, out var list) ? list.EnumerateArray().Select(v => $"{v.GetProperty("version").GetString()}:{v.GetProperty("current_stage").GetString()}").ToArray() : [];

    [Fact]
    public async Task RegisteredModel_CreateUpdateRenameDelete_AnswersInMlflowShape()
    {
        var created = await OkAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { name = "shape", description = "first", tags = new[] { new { key = "team", value = "nlp" } } });
        var duplicate = await SendAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { name = "shape" });
        var updated = await OkAsync(HttpMethod.Patch, $"{Api}/registered-models/update", new { name = "shape", description = "second" });
        var renamed = await OkAsync(HttpMethod.Post, $"{Api}/registered-models/rename", new { name = "shape", new_name = "shape-2" });
        var oldName = await _client.GetAsync($"{Api}/registered-models/get?name=shape");
        var fetched = await _client.OkGetAsync("/ajax-api/2.0/mlflow/registered-models/get?name=shape-2");

        var model = created.GetProperty("registered_model");
        Assert.Equal(["name", "creation_timestamp", "last_updated_timestamp", "description", "tags"], model.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, model.GetProperty("creation_timestamp").ValueKind);
        Assert.Equal("""[{"key":"team","value":"nlp"}]""", model.GetProperty("tags").GetRawText());
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS", duplicate, "Registered Model (name=shape) already exists.");
        Assert.Equal("second", updated.GetProperty("registered_model").GetProperty("description").GetString());
        Assert.Equal("shape-2", renamed.GetProperty("registered_model").GetProperty("name").GetString());
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", oldName, "Registered Model with name=shape not found");
        Assert.Equal("second", fetched.GetProperty("registered_model").GetProperty("description").GetString());

        Assert.Equal("{}", (await OkAsync(HttpMethod.Delete, $"{Api}/registered-models/delete", new { name = "shape-2" })).GetRawText());
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", await _client.GetAsync($"{Api}/registered-models/get?name=shape-2"));
    }

    [Fact]
    public async Task ModelVersions_RegisterPromoteAliasAndDownload_LikeAnMlflowClient()
    {
        var experiment = await _client.CreateExperimentAsync("registry-story");
        var runId = await _client.CreateRunAsync(experiment, "train");
        await OkAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { name = "sentiment" });
        var v1 = await OkAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "sentiment", source = $"runs:/{runId}/model", run_id = runId });
        await OkAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "sentiment", source = "s3://models/sentiment/2", tags = new[] { new { key = "data", value = "v2" } } });
        await OkAsync(HttpMethod.Post, $"{Api}/model-versions/transition-stage", new { name = "sentiment", version = "1", stage = "Production", archive_existing_versions = false });
        var promoted = await OkAsync(HttpMethod.Post, $"{Api}/model-versions/transition-stage", new { name = "sentiment", version = "2", stage = "production", archive_existing_versions = true });
        await OkAsync(HttpMethod.Post, $"{Api}/registered-models/alias", new { name = "sentiment", alias = "champion", version = "2" });

        var version = v1.GetProperty("model_version");
        Assert.Equal(
            ["name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage", "source", "run_id", "status"],
            version.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("1", "None", "READY"), (version.GetProperty("version").GetString(), version.GetProperty("current_stage").GetString(), version.GetProperty("status").GetString()));
        Assert.Equal("Production", promoted.GetProperty("model_version").GetProperty("current_stage").GetString());
        var latest = await _client.OkGetAsync($"{Api}/registered-models/get-latest-versions?name=sentiment&stages=Production&stages=Archived");
        Assert.Equal(["1:Archived", "2:Production"], Versions(latest));
        var byAlias = await _client.OkGetAsync($"{Api}/registered-models/alias?name=sentiment&alias=champion");
        Assert.Equal("""["champion"]""", byAlias.GetProperty("model_version").GetProperty("aliases").GetRawText());
        var model = (await _client.OkGetAsync($"{Api}/registered-models/get?name=sentiment")).GetProperty("registered_model");
        Assert.Equal("""[{"alias":"champion","version":"2"}]""", model.GetProperty("aliases").GetRawText());
        Assert.Equal(["1:Archived", "2:Production"], Versions(model, "latest_versions"));
        var download = await _client.OkGetAsync($"{Api}/model-versions/get-download-uri?name=sentiment&version=1");
        Assert.Equal($"mlflow-artifacts:/{experiment}/{runId}/artifacts/model", download.GetProperty("artifact_uri").GetString());
        var search = await _client.OkGetAsync($"{Api}/model-versions/search?filter={Uri.EscapeDataString($"run_id = '{runId}'")}");
        Assert.Equal(["1:Archived"], Versions(search));
        var byTag = await _client.OkGetAsync($"{Api}/model-versions/search?filter={Uri.EscapeDataString("name = 'sentiment' AND tags.data = 'v2'")}");
        Assert.Equal(["2:Production"], Versions(byTag));
    }

    [Fact]
    public async Task CreateModelVersion_LocalSource_MustLieInsideTheRunsArtifactFolder()
    {
        // Proxied artifacts (mlflow-artifacts:/) are not local to MLflow's check: the run needs a local artifact folder.
        var experiment = (await _client.OkAsync($"{Api}/experiments/create",
            JsonSerializer.Serialize(new { name = "local-artifacts", artifact_location = Path.Combine(fixture.Folder, "local-artifacts") }))).GetProperty("experiment_id").GetString();
        var info = (await _client.OkAsync($"{Api}/runs/create", JsonSerializer.Serialize(new { experiment_id = experiment, run_name = "local-model" }))).GetProperty("run").GetProperty("info");
        var runId = info.GetProperty("run_id").GetString()!;
        var artifacts = info.GetProperty("artifact_uri").GetString()!;
        var folder = artifacts.StartsWith("file:", StringComparison.Ordinal) ? new Uri(artifacts).LocalPath : artifacts;
        await OkAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { name = "local-model" });

        var inside = await SendAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "local-model", source = folder + "/model", run_id = runId });
        var asFileUri = await SendAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "local-model", source = new Uri(folder + "/model").AbsoluteUri, run_id = runId });
        var outside = await SendAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "local-model", source = fixture.Folder, run_id = runId });
        var climbing = await SendAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "local-model", source = folder + "/../../other-run", run_id = runId });
        var noRun = await SendAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "local-model", source = folder + "/model" });

        Assert.True((inside.Status, asFileUri.Status) == (HttpStatusCode.OK, HttpStatusCode.OK), $"{inside.Body} {asFileUri.Body}");
        var download = await _client.OkGetAsync($"{Api}/model-versions/get-download-uri?name=local-model&version=1");
        Assert.Equal(folder + "/model", download.GetProperty("artifact_uri").GetString());
        const string Rule = "To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.";
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", outside, $"Invalid model version source: '{fixture.Folder}'. {Rule}");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", climbing,
            $"Invalid model version source: '{Path.GetFullPath(folder + "/../../other-run")}'. {Rule}");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noRun, $"Invalid model version source: '{folder}/model'. {Rule}");
    }

    [Fact]
    public async Task ModelVersions_TagsDescriptionsAndDeletes_UseMlflowVerbs()
    {
        await OkAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { name = "verbs" });
        await OkAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "verbs", source = "s3://m/1" });
        await OkAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "verbs", source = "s3://m/2" });
        await OkAsync(HttpMethod.Post, $"{Api}/model-versions/set-tag", new { name = "verbs", version = "1", key = "ok", value = "yes" });
        await OkAsync(HttpMethod.Post, $"{Api}/registered-models/set-tag", new { name = "verbs", key = "owner", value = "ann" });
        await OkAsync(HttpMethod.Delete, $"{Api}/registered-models/delete-tag", new { name = "verbs", key = "owner" });
        var described = await OkAsync(HttpMethod.Patch, $"{Api}/model-versions/update", new { name = "verbs", version = "1", description = "checked" });
        await OkAsync(HttpMethod.Delete, $"{Api}/model-versions/delete?name=verbs&version=2");

        var v1 = (await _client.OkGetAsync($"{Api}/model-versions/get?name=verbs&version=1")).GetProperty("model_version");
        Assert.Equal("checked", described.GetProperty("model_version").GetProperty("description").GetString());
        Assert.Equal("""[{"key":"ok","value":"yes"}]""", v1.GetProperty("tags").GetRawText());
        Assert.False((await _client.OkGetAsync($"{Api}/registered-models/get?name=verbs")).GetProperty("registered_model").TryGetProperty("tags", out _));
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", await _client.GetAsync($"{Api}/model-versions/get?name=verbs&version=2"),
            "Model Version (name=verbs, version=2) not found");
        var v3 = await OkAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "verbs", source = "s3://m/3" });
        Assert.Equal("3", v3.GetProperty("model_version").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Registry_Refusals_UseMlflowCodesAndStatuses()
    {
        await OkAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { name = "refusals" });
        await OkAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "refusals", source = "s3://m/1" });

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", await _client.GetAsync($"{Api}/model-versions/get?name=refusals&version=one"),
            "Parameter 'version' must be an integer, got 'one'.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await SendAsync(HttpMethod.Post, $"{Api}/model-versions/transition-stage", new { name = "refusals", version = "1", stage = "Live" }), "Invalid Model Version stage: Live.");
        MlflowClient.AssertError(HttpStatusCode.InternalServerError, "INTERNAL_ERROR",
            await SendAsync(HttpMethod.Post, $"{Api}/model-versions/transition-stage", new { name = "refusals", version = "1", stage = "None", archive_existing_versions = true }),
            "is not an Active stage");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", await _client.GetAsync($"{Api}/registered-models/alias?name=refusals&alias=gold"),
            "Registered model alias gold not found.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await SendAsync(HttpMethod.Post, $"{Api}/registered-models/alias", new { name = "refusals", alias = "v1", version = "1" }), "reserved");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST",
            await SendAsync(HttpMethod.Post, $"{Api}/model-versions/create", new { name = "nobody", source = "s3://m/1" }));
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await SendAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { description = "no name" }), "Missing value for required parameter 'name'");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", await _client.GetAsync($"{Api}/registered-models/search?max_results=1001"));
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.GetAsync($"{Api}/registered-models/search?filter={Uri.EscapeDataString("name = 'a' OR name = 'b'")}"), "'OR'");
    }

    [Fact]
    public async Task SearchRegisteredModels_FiltersOrdersAndPagesThroughQueryStrings()
    {
        foreach (var name in new[] { "page-c", "page-a", "page-b" })
        {
            await OkAsync(HttpMethod.Post, $"{Api}/registered-models/create", new { name, tags = new[] { new { key = "suite", value = "paging" } } });
        }

        var filter = Uri.EscapeDataString("name LIKE 'page-%' AND tags.suite = 'paging'");
        var first = await _client.OkGetAsync($"{Api}/registered-models/search?filter={filter}&max_results=2&order_by=name+DESC");
        var token = first.GetProperty("next_page_token").GetString()!;
        var second = await _client.OkGetAsync($"{Api}/registered-models/search?filter={filter}&max_results=2&order_by=name+DESC&page_token={Uri.EscapeDataString(token)}");

        string[] Names(JsonElement body) => body.GetProperty("registered_models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["page-c", "page-b"], Names(first));
        Assert.Equal(["page-a"], Names(second));
        Assert.False(second.TryGetProperty("next_page_token", out _));
    }
}
