using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>
/// MLflow 3's LoggedModel API as its client drives it from <c>log_model()</c> and <c>load_model()</c>: create the model,
/// upload its files to the model's artifact location through the proxy, link it to the run, log metrics with its id,
/// finalize it READY, find it by search, register it from <c>models:/m-…</c>, and read it back.
/// </summary>
public abstract partial class MlflowTrackingApiCompliance
{
    private async Task<JsonElement> CreateLoggedModelAsync(string experimentId, string name, string? runId = null, string extra = "") =>
        (await Client.OkAsync("/api/2.0/mlflow/logged-models", $$"""
            {"experiment_id": "{{experimentId}}", "name": "{{name}}", "model_type": "classifier"{{(runId is null ? "" : $", \"source_run_id\": \"{runId}\"")}}{{extra}}}
            """)).GetProperty("model");

    private async Task PutArtifactAsync(string artifactUri, string file, string text)
    {
        using var content = new StringContent(text, Encoding.UTF8, "application/octet-stream");
        using var put = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{artifactUri["mlflow-artifacts:/".Length..]}/{file}", content);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    [SkippableFact]
    public async Task LoggedModel_LogModelLifecycle_CreateUploadFinalizeSearchRegisterLoad()
    {
        SkipIfUnavailable();
        var experimentId = await Client.CreateExperimentAsync("logged-models-" + Guid.NewGuid().ToString("N"));
        var runId = await Client.CreateRunAsync(experimentId, "train");

        // mlflow.<flavor>.log_model(): the model is created PENDING, in the run's experiment, naming the run.
        var created = await CreateLoggedModelAsync(experimentId, "sentiment", runId,
            """, "params": [{"key": "C", "value": "1.0"}], "tags": [{"key": "mlflow.source.type", "value": "LOCAL"}]""");
        var id = created.GetProperty("info").GetProperty("model_id").GetString()!;
        var artifactUri = created.GetProperty("info").GetProperty("artifact_uri").GetString()!;
        var mlmodelText = "flavors: {}\nmodel_id: " + id;
        await PutArtifactAsync(artifactUri, "MLmodel", mlmodelText);
        await PutArtifactAsync(artifactUri, "data/model.bin", "weights");
        await Client.OkAsync("/api/2.0/mlflow/runs/outputs", $$"""{"run_id": "{{runId}}", "models": [{"model_id": "{{id}}", "step": 0}]}""");
        await Client.OkAsync("/api/2.0/mlflow/runs/log-metric", $$"""
            {"run_id": "{{runId}}", "key": "accuracy", "value": 0.9, "timestamp": 5, "step": 1, "model_id": "{{id}}", "dataset_name": "test", "dataset_digest": "abc"}
            """);
        await Client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""
            {"run_id": "{{runId}}", "metrics": [{"key": "f1", "value": 0.75, "timestamp": 6, "step": 1, "model_id": "{{id}}"}, {"key": "loss", "value": 0.1, "timestamp": 6, "step": 1}]}
            """);
        var finalized = (await Client.OkSendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{id}", """{"status": "LOGGED_MODEL_READY"}""")).GetProperty("model");
        // Another model of the experiment, still pending and without metrics: no filter below may find it.
        var pending = (await CreateLoggedModelAsync(experimentId, "draft")).GetProperty("info").GetProperty("model_id").GetString()!;

        var found = await Client.OkAsync("/api/2.0/mlflow/logged-models/search", $$"""
            {"experiment_ids": ["{{experimentId}}"], "filter": "status = 'READY' AND params.C = '1.0' AND metrics.accuracy > 0.8 AND name LIKE 'sent%'",
             "datasets": [{"dataset_name": "test", "dataset_digest": "abc"}], "order_by": [{"field_name": "metrics.accuracy", "ascending": false}]}
            """);
        var otherDataset = await Client.OkAsync("/api/2.0/mlflow/logged-models/search", $$"""
            {"experiment_ids": ["{{experimentId}}"], "filter": "metrics.accuracy > 0.8", "datasets": [{"dataset_name": "validation"}]}
            """);
        var all = await Client.OkAsync("/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"], "max_results": 1}""");
        var second = await Client.OkAsync("/api/2.0/mlflow/logged-models/search", $$"""
            {"experiment_ids": ["{{experimentId}}"], "max_results": 1, "page_token": "{{all.GetProperty("next_page_token").GetString()}}"}
            """);
        var listed = await Client.OkGetAsync($"/api/2.0/mlflow/logged-models/{id}/artifacts/directories");
        var listedData = await Client.OkGetAsync($"/api/2.0/mlflow/logged-models/{id}/artifacts/directories?artifact_directory_path=data");

        // mlflow.register_model("models:/m-…"): the version's files are the model's.
        await Client.OkAsync("/api/2.0/mlflow/registered-models/create", """{"name": "lm-sentiment-""" + experimentId + "\"}");
        var version = (await Client.OkAsync("/api/2.0/mlflow/model-versions/create", $$"""{"name": "lm-sentiment-{{experimentId}}", "source": "models:/{{id}}", "run_id": "{{runId}}"}""")).GetProperty("model_version");
        var downloadUri = (await Client.OkGetAsync($"/api/2.0/mlflow/model-versions/get-download-uri?name=lm-sentiment-{experimentId}&version=1")).GetProperty("artifact_uri").GetString();

        // mlflow.pyfunc.load_model("models:/m-…"): the model's location, then its files through the proxy.
        var loaded = (await Client.OkGetAsync($"/api/2.0/mlflow/logged-models/{id}")).GetProperty("model");
        var location = loaded.GetProperty("info").GetProperty("artifact_uri").GetString()!;
        var mlmodel = await Http.GetStringAsync($"/api/2.0/mlflow-artifacts/artifacts/{location["mlflow-artifacts:/".Length..]}/MLmodel");
        var weights = await Http.GetStringAsync($"/ajax-api/2.0/mlflow/logged-models/{id}/artifacts/files?artifact_file_path=data/model.bin");

        Assert.Matches("^m-[0-9a-f]{32}$", id);
        Assert.Equal($"mlflow-artifacts:/{experimentId}/models/{id}/artifacts", artifactUri);
        Assert.Equal("LOGGED_MODEL_PENDING", created.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal("LOGGED_MODEL_READY", finalized.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal(runId, finalized.GetProperty("info").GetProperty("source_run_id").GetString());
        Assert.Equal("classifier", finalized.GetProperty("info").GetProperty("model_type").GetString());
        Assert.Equal("""{"params":[{"key":"C","value":"1.0"}],"metrics":[""" +
            $$"""{"key":"accuracy","value":0.9,"timestamp":5,"step":1,"dataset_name":"test","dataset_digest":"abc","model_id":"{{id}}","run_id":"{{runId}}"},""" +
            $$"""{"key":"f1","value":0.75,"timestamp":6,"step":1,"model_id":"{{id}}","run_id":"{{runId}}"}]}""",
            loaded.GetProperty("data").GetRawText());
        Assert.Equal("""[{"key":"mlflow.source.type","value":"LOCAL"}]""", loaded.GetProperty("info").GetProperty("tags").GetRawText());
        Assert.Equal([id], Ids(found));
        Assert.Empty(Ids(otherDataset));
        Assert.Equal([pending, id], [.. Ids(all), .. Ids(second)]);
        Assert.False(second.TryGetProperty("next_page_token", out _));
        Assert.Equal(artifactUri, listed.GetProperty("root_uri").GetString());
        Assert.Equal("""[{"path":"MLmodel","is_dir":false,"file_size":""" + $"{mlmodelText.Length}" + """},{"path":"data","is_dir":true}]""", listed.GetProperty("files").GetRawText());
        Assert.Equal("""[{"path":"data/model.bin","is_dir":false,"file_size":7}]""", listedData.GetProperty("files").GetRawText());
        Assert.Equal($"models:/{id}", version.GetProperty("source").GetString());
        Assert.Equal(artifactUri, downloadUri);
        Assert.Equal(mlmodelText, mlmodel);
        Assert.Equal("weights", weights);
    }

    [SkippableFact]
    public async Task LoggedModel_TagsParamsAndDelete_AsMlflowsClientCallsThem()
    {
        SkipIfUnavailable();
        var experimentId = await Client.CreateExperimentAsync("logged-model-edits-" + Guid.NewGuid().ToString("N"));
        var id = (await CreateLoggedModelAsync(experimentId, "edited")).GetProperty("info").GetProperty("model_id").GetString()!;

        var tagged = (await Client.OkSendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{id}/tags", """{"tags": [{"key": "team", "value": "nlp"}, {"key": "draft", "value": "1"}]}""")).GetProperty("model");
        await Client.OkSendAsync(HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{id}/tags/draft", "{}");
        var absentTag = await Client.SendAsync(HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{id}/tags/draft", "{}");
        await Client.OkAsync($"/api/2.0/mlflow/logged-models/{id}/params", """{"params": [{"key": "lr", "value": "0.1"}]}""");
        await Client.OkAsync($"/api/2.0/mlflow/logged-models/{id}/params", """{"params": [{"key": "lr", "value": "0.1"}]}""");
        var changed = await Client.PostAsync($"/api/2.0/mlflow/logged-models/{id}/params", """{"params": [{"key": "lr", "value": "0.2"}]}""");
        var byTag = await Client.OkAsync("/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "tags.team = 'nlp' AND params.lr = '0.1'"}""");
        var model = (await Client.OkGetAsync($"/api/2.0/mlflow/logged-models/{id}")).GetProperty("model");
        await Client.OkSendAsync(HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{id}", "{}");
        var afterDelete = await Client.GetAsync($"/api/2.0/mlflow/logged-models/{id}");
        var searchAfterDelete = await Client.OkAsync("/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"]}""");

        Assert.Equal("""[{"key":"draft","value":"1"},{"key":"team","value":"nlp"}]""", tagged.GetProperty("info").GetProperty("tags").GetRawText());
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", absentTag, "draft");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", changed, "Changing param values is not allowed");
        Assert.Equal([id], Ids(byTag));
        Assert.Equal("""[{"key":"team","value":"nlp"}]""", model.GetProperty("info").GetProperty("tags").GetRawText());
        Assert.Equal("""{"params":[{"key":"lr","value":"0.1"}]}""", model.GetProperty("data").GetRawText());
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", afterDelete, id);
        Assert.Empty(Ids(searchAfterDelete));
    }

    [SkippableFact]
    public async Task LoggedModel_BadInput_Is400NamingTheField_AndStoresNothing()
    {
        SkipIfUnavailable();
        var experimentId = await Client.CreateExperimentAsync("logged-model-errors-" + Guid.NewGuid().ToString("N"));
        var otherExperiment = await Client.CreateExperimentAsync("logged-model-other-" + Guid.NewGuid().ToString("N"));
        var runId = await Client.CreateRunAsync(experimentId, "train");
        var otherRun = await Client.CreateRunAsync(otherExperiment, "elsewhere");
        var foreign = (await CreateLoggedModelAsync(otherExperiment, "foreign")).GetProperty("info").GetProperty("model_id").GetString()!;
        var id = (await CreateLoggedModelAsync(experimentId, "mine")).GetProperty("info").GetProperty("model_id").GetString()!;

        var noExperiment = await Client.PostAsync("/api/2.0/mlflow/logged-models", """{"name": "x"}""");
        var foreignRun = await Client.PostAsync("/api/2.0/mlflow/logged-models", $$"""{"experiment_id": "{{experimentId}}", "source_run_id": "{{otherRun}}"}""");
        var noStatus = await Client.SendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{id}", "{}");
        var badStatus = await Client.SendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{id}", """{"status": "DONE"}""");
        var pendingStatus = await Client.SendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{id}", """{"status": "LOGGED_MODEL_PENDING"}""");
        var noIds = await Client.PostAsync("/api/2.0/mlflow/logged-models/search", "{}");
        var badFilter = await Client.PostAsync("/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "flavor = 'x'"}""");
        var tooMany = await Client.PostAsync("/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"], "max_results": 51}""");
        var noField = await Client.PostAsync("/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"], "order_by": [{"ascending": false}]}""");
        var byParam = await Client.PostAsync("/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"], "order_by": [{"field_name": "params.C"}]}""");
        var unknown = await Client.GetAsync("/api/2.0/mlflow/logged-models/m-0123456789abcdef0123456789abcdef");
        var foreignMetric = await Client.PostAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "stolen", "value": 1, "timestamp": 1, "model_id": "{{foreign}}"}""");
        var foreignBatch = await Client.PostAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{"key": "stolen", "value": 1, "timestamp": 1, "model_id": "{{foreign}}"}]}""");
        var foreignOutput = await Client.PostAsync("/api/2.0/mlflow/runs/outputs", $$"""{"run_id": "{{runId}}", "models": [{"model_id": "{{foreign}}", "step": 0}]}""");
        await Client.OkAsync("/api/2.0/mlflow/registered-models/create", $$"""{"name": "lm-errors-{{experimentId}}"}""");
        var unknownSource = await Client.PostAsync("/api/2.0/mlflow/model-versions/create", $$"""{"name": "lm-errors-{{experimentId}}", "source": "models:/m-0123456789abcdef0123456789abcdef"}""");
        var run = (await Client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).GetProperty("run");
        var foreignModel = (await Client.OkGetAsync($"/api/2.0/mlflow/logged-models/{foreign}")).GetProperty("model");

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noExperiment, "experiment_id");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", foreignRun, "source_run_id");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noStatus, "status");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", badStatus, "status");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", pendingStatus, "status");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noIds, "experiment_ids");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", badFilter, "flavor");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", tooMany, "max_results");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noField, "field_name");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", byParam, "order_by");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", unknown, "m-0123456789abcdef0123456789abcdef");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", foreignMetric, "model_id");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", foreignBatch, "model_id");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", foreignOutput, "model_id");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", unknownSource, "m-0123456789abcdef0123456789abcdef");
        // Nothing of the refused requests was stored: no run metric, no model metric.
        Assert.False(run.GetProperty("data").TryGetProperty("metrics", out _));
        Assert.False(foreignModel.GetProperty("data").TryGetProperty("metrics", out _));
    }

    private static string[] Ids(JsonElement page) => page.TryGetProperty("models", out var models)
        ? models.EnumerateArray().Select(m => m.GetProperty("info").GetProperty("model_id").GetString()!).ToArray()
        : [];
}
