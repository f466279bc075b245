using System.Net;
using System.Text.Json;

namespace Fathom.Server.Tests;

public sealed class MlflowTrackingApiTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private readonly MlflowClient _client = new(fixture.Http);

    private static string Names(JsonElement body) => string.Join(",", MlflowClient.Names(body));

    [Fact]
    public async Task HealthAndVersion_AnswerPlainText()
    {
        Assert.Equal("OK", await fixture.Http.GetStringAsync("/health"));
        Assert.Equal("3.6.0", await fixture.Http.GetStringAsync("/version"));
    }

    [Fact]
    public async Task CreateExperiment_ThenGetByQueryString_ReturnsMlflowShape()
    {
        var created = await _client.OkAsync("/api/2.0/mlflow/experiments/create", """{"name": "shape", "tags": [{"key": "team", "value": "nlp"}]}""");
        var id = created.GetProperty("experiment_id").GetString();

        var body = await _client.OkGetAsync($"/api/2.0/mlflow/experiments/get?experiment_id={id}");
        var byName = await _client.OkGetAsync("/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=shape");

        var experiment = body.GetProperty("experiment");
        Assert.Equal(
            ["experiment_id", "name", "artifact_location", "lifecycle_stage", "last_update_time", "creation_time", "tags"],
            experiment.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"mlflow-artifacts:/{id}", experiment.GetProperty("artifact_location").GetString());
        Assert.Equal("active", experiment.GetProperty("lifecycle_stage").GetString());
        Assert.Equal(JsonValueKind.Number, experiment.GetProperty("creation_time").ValueKind);
        Assert.Equal("""[{"key":"team","value":"nlp"}]""", experiment.GetProperty("tags").GetRawText());
        Assert.Equal(experiment.GetRawText(), byName.GetProperty("experiment").GetRawText());
    }

    [Fact]
    public async Task Experiments_Errors_UseMlflowCodesAndStatuses()
    {
        await _client.CreateExperimentAsync("dup");

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS", await _client.PostAsync("/api/2.0/mlflow/experiments/create", """{"name": "dup"}"""), "Experiment(name=dup) already exists.");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", await _client.GetAsync("/api/2.0/mlflow/experiments/get?experiment_id=98765"), "No Experiment with id=98765 exists");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", await _client.GetAsync("/api/2.0/mlflow/experiments/get-by-name?experiment_name=nope"), "Could not find experiment with name 'nope'");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", await _client.PostAsync("/api/2.0/mlflow/experiments/create", "{}"), "Missing value for required parameter 'name'.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", await _client.PostAsync("/api/2.0/mlflow/experiments/create", """{"name": ["x"]}"""), "Invalid value [\"x\"] for parameter 'name' supplied. Hint: Value was of type 'list'.");

        using var noType = new ByteArrayContent("""{"name": "x"}"""u8.ToArray());
        using var response = await fixture.Http.PostAsync("/api/2.0/mlflow/experiments/create", noType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad Request. Content-Type header is missing.", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ExperimentLifecycle_RenameTagDeleteRestore_AllWork()
    {
        var id = await _client.CreateExperimentAsync("lifecycle-old");

        Assert.Equal("{}", (await _client.OkAsync("/api/2.0/mlflow/experiments/update", $$"""{"experiment_id": "{{id}}", "new_name": "lifecycle-new"}""")).GetRawText());
        await _client.OkAsync("/api/2.0/mlflow/experiments/set-experiment-tag", $$"""{"experiment_id": "{{id}}", "key": "stage", "value": "dev"}""");
        var tagged = await _client.OkGetAsync($"/api/2.0/mlflow/experiments/get?experiment_id={id}");
        await _client.OkAsync("/api/2.0/mlflow/experiments/delete", $$"""{"experiment_id": "{{id}}"}""");
        var deleted = await _client.OkGetAsync($"/api/2.0/mlflow/experiments/get?experiment_id={id}");
        var renameDeleted = await _client.PostAsync("/api/2.0/mlflow/experiments/update", $$"""{"experiment_id": "{{id}}", "new_name": "x"}""");
        var deleteTwice = await _client.PostAsync("/api/2.0/mlflow/experiments/delete", $$"""{"experiment_id": "{{id}}"}""");
        await _client.OkAsync("/api/2.0/mlflow/experiments/restore", $$"""{"experiment_id": {{id}}}""");
        var restoreTwice = await _client.PostAsync("/api/2.0/mlflow/experiments/restore", $$"""{"experiment_id": "{{id}}"}""");

        Assert.Equal("lifecycle-new", tagged.GetProperty("experiment").GetProperty("name").GetString());
        Assert.Equal("""[{"key":"stage","value":"dev"}]""", tagged.GetProperty("experiment").GetProperty("tags").GetRawText());
        Assert.Equal("deleted", deleted.GetProperty("experiment").GetProperty("lifecycle_stage").GetString());
        MlflowClient.AssertError(HttpStatusCode.InternalServerError, "INVALID_STATE", renameDeleted, "Cannot rename a non-active experiment.");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", deleteTwice);
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", restoreTwice);
        var restored = await _client.OkGetAsync($"/api/2.0/mlflow/experiments/get?experiment_id={id}");
        Assert.Equal("active", restored.GetProperty("experiment").GetProperty("lifecycle_stage").GetString());
    }

    [Fact]
    public async Task SearchExperiments_FilterOrderAndPages_PostAndGet()
    {
        foreach (var name in new[] { "search-exp-a", "search-exp-b", "search-exp-c" })
        {
            await _client.CreateExperimentAsync(name);
        }

        var post = await _client.OkAsync("/api/2.0/mlflow/experiments/search", """{"filter": "name LIKE 'search-exp-%'", "order_by": ["name DESC"], "max_results": 2}""");
        var next = await _client.OkGetAsync(
            $"/api/2.0/mlflow/experiments/search?filter={Uri.EscapeDataString("name LIKE 'search-exp-%'")}&order_by=name+DESC&max_results=2&page_token={Uri.EscapeDataString(post.GetProperty("next_page_token").GetString()!)}");

        Assert.Equal(["search-exp-c", "search-exp-b"], post.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(["search-exp-a"], next.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.False(next.TryGetProperty("next_page_token", out _));
    }

    [Fact]
    public async Task RunStory_LogReadUpdate_MatchesMlflowShapes()
    {
        var experiment = await _client.CreateExperimentAsync("story");
        var created = await _client.OkAsync("/api/2.0/mlflow/runs/create",
            $$"""{"experiment_id": "{{experiment}}", "user_id": "alice", "run_name": "bright-fox", "start_time": 1700000000000, "tags": [{"key": "mlflow.user", "value": "alice"}]}""");
        var info = created.GetProperty("run").GetProperty("info");
        var runId = info.GetProperty("run_id").GetString()!;

        await _client.OkAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "loss", "value": 0.5, "timestamp": 1700000000001, "step": 1}""");
        await _client.OkAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_uuid": "{{runId}}", "key": "loss", "value": "NaN", "timestamp": "1700000000002", "step": 2}""");
        await _client.OkAsync("/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{runId}}", "key": "alpha", "value": "0.1"}""");
        await _client.OkAsync("/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "{{runId}}", "key": "note", "value": "x"}""");
        await _client.OkAsync("/api/2.0/mlflow/runs/log-batch",
            $$"""{"run_id": "{{runId}}", "metrics": [{"key": "acc", "value": 0.9, "timestamp": 1700000000003, "step": 0}], "params": [{"key": "model", "value": "lr"}], "tags": [{"key": "team", "value": "nlp"}]}""");
        await _client.OkAsync("/api/2.0/mlflow/runs/delete-tag", $$"""{"run_id": "{{runId}}", "key": "note"}""");
        var updated = await _client.OkAsync("/api/2.0/mlflow/runs/update", $$"""{"run_id": "{{runId}}", "run_uuid": "{{runId}}", "status": "FINISHED", "end_time": 1700000000100}""");
        var run = (await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).GetProperty("run");
        var byUuid = (await _client.OkGetAsync($"/ajax-api/2.0/mlflow/runs/get?run_uuid={runId}")).GetProperty("run");
        var history = await _client.OkGetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss");

        Assert.Equal(["run_id", "run_uuid", "run_name", "experiment_id", "user_id", "status", "start_time", "artifact_uri", "lifecycle_stage"], info.EnumerateObject().Select(p => p.Name));
        Assert.Equal("RUNNING", info.GetProperty("status").GetString());
        Assert.Equal($"mlflow-artifacts:/{experiment}/{runId}/artifacts", info.GetProperty("artifact_uri").GetString());
        Assert.Equal("{}", created.GetProperty("run").GetProperty("inputs").GetRawText());
        Assert.Equal(1700000000100, updated.GetProperty("run_info").GetProperty("end_time").GetInt64());
        Assert.Equal("FINISHED", run.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal(
            """{"metrics":[{"key":"acc","value":0.9,"timestamp":1700000000003,"step":0},{"key":"loss","value":"NaN","timestamp":1700000000002,"step":2}],"params":[{"key":"alpha","value":"0.1"},{"key":"model","value":"lr"}],"tags":[{"key":"mlflow.runName","value":"bright-fox"},{"key":"mlflow.user","value":"alice"},{"key":"team","value":"nlp"}]}""",
            run.GetProperty("data").GetRawText());
        Assert.Equal(run.GetRawText(), byUuid.GetRawText());
        Assert.Equal(
            """{"metrics":[{"key":"loss","value":0.5,"timestamp":1700000000001,"step":1},{"key":"loss","value":"NaN","timestamp":1700000000002,"step":2}]}""",
            history.GetRawText());
    }

    [Fact]
    public async Task GetHistory_WithMaxResults_PagesWithTokens()
    {
        var runId = await _client.CreateRunAsync("0", "history-pages");
        var metrics = string.Join(",", Enumerable.Range(0, 5).Select(i => $$"""{"key": "m", "value": {{i}}, "timestamp": {{i}}, "step": {{i}}}"""));
        await _client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{{metrics}}]}""");

        var first = await _client.OkGetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=m&max_results=3");
        var second = await _client.OkGetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=m&max_results=3&page_token={Uri.EscapeDataString(first.GetProperty("next_page_token").GetString()!)}");
        var unknown = await _client.OkGetAsync("/api/2.0/mlflow/metrics/get-history?run_id=nope&metric_key=m");

        Assert.Equal([0L, 1, 2], first.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("step").GetInt64()));
        Assert.Equal([3L, 4], second.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("step").GetInt64()));
        Assert.False(second.TryGetProperty("next_page_token", out _));
        Assert.Equal("{}", unknown.GetRawText());
    }

    [Fact]
    public async Task RunWrites_Refused_WithMlflowErrors()
    {
        var runId = await _client.CreateRunAsync("0", "refusals");
        await _client.OkAsync("/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{runId}}", "key": "alpha", "value": "1"}""");
        var tooMany = "[" + string.Join(",", Enumerable.Range(0, 1001).Select(i => $$"""{"key": "m", "value": 1, "timestamp": {{i}}}""")) + "]";

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{runId}}", "key": "alpha", "value": "2"}"""), "Changing param values is not allowed.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": {{tooMany}}}"""), "at most 1000 metrics. Got 1001 metrics.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "m", "value": true, "timestamp": 1}"""), "Value was of type 'bool'");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "m", "value": 1}"""), "Missing value for required parameter 'timestamp'.");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST",
            await _client.PostAsync("/api/2.0/mlflow/runs/delete-tag", $$"""{"run_id": "{{runId}}", "key": "absent"}"""), "No tag with name: absent");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", await _client.GetAsync("/api/2.0/mlflow/runs/get?run_id=abc"), "Run with id=abc not found");

        await _client.OkAsync("/api/2.0/mlflow/runs/delete", $$"""{"run_id": "{{runId}}"}""");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "{{runId}}", "key": "k", "value": "v"}"""), "must be in the 'active' state");
        await _client.OkAsync("/api/2.0/mlflow/runs/restore", $$"""{"run_id": "{{runId}}"}""");
        await _client.OkAsync("/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "{{runId}}", "key": "k", "value": "v"}""");
    }

    [Fact]
    public async Task SearchRuns_FilterOrderPages_PostAndQueryString()
    {
        var experiment = await _client.CreateExperimentAsync("search-runs");
        var other = await _client.CreateExperimentAsync("search-runs-other");
        foreach (var (name, acc, exp) in new[] { ("a", 0.2, experiment), ("b", 0.9, experiment), ("c", 0.6, other), ("d", 0.7, experiment) })
        {
            var runId = await _client.CreateRunAsync(exp, name);
            await _client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{"key": "acc", "value": {{acc}}, "timestamp": 1}], "params": [{"key": "model", "value": "m-{{name}}"}]}""");
        }

        var page1 = await _client.OkAsync("/api/2.0/mlflow/runs/search",
            $$"""{"experiment_ids": ["{{experiment}}", "{{other}}"], "filter": "metrics.acc > 0.5", "order_by": ["metrics.acc DESC"], "max_results": 2}""");
        var page2 = await _client.OkGetAsync(
            $"/api/2.0/mlflow/runs/search?experiment_ids={experiment}&experiment_ids={other}&filter={Uri.EscapeDataString("metrics.acc > 0.5")}&order_by={Uri.EscapeDataString("metrics.acc DESC")}&max_results=2&page_token={Uri.EscapeDataString(page1.GetProperty("next_page_token").GetString()!)}");
        var byParam = await _client.OkAsync("/api/2.0/mlflow/runs/search", $$"""{"experiment_ids": ["{{experiment}}"], "filter": "params.model LIKE 'm-%' and attributes.run_name != 'a'", "order_by": ["params.model ASC"]}""");
        var none = await _client.OkAsync("/api/2.0/mlflow/runs/search", """{"experiment_ids": []}""");

        Assert.Equal("b,d", Names(page1));
        Assert.Equal("c", Names(page2));
        Assert.False(page2.TryGetProperty("next_page_token", out _));
        Assert.Equal("b,d", Names(byParam));
        Assert.Equal("{}", none.GetRawText());
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/search", $$"""{"experiment_ids": ["{{experiment}}"], "filter": "metrics.acc > 0.5 OR metrics.acc < 0.1"}"""), "(at position 18)");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/search", $$"""{"experiment_ids": ["{{experiment}}"], "max_results": 50001}"""), "max_results");
    }

    [Fact]
    public async Task LogInputs_DatasetsAppearOnRunAndInSearch()
    {
        var experiment = await _client.CreateExperimentAsync("datasets");
        var runId = await _client.CreateRunAsync(experiment, "with-data");
        await _client.CreateRunAsync(experiment, "without-data");

        await _client.OkAsync("/api/2.0/mlflow/runs/log-inputs", $$$"""
            {"run_id": "{{{runId}}}", "datasets": [{"tags": [{"key": "mlflow.data.context", "value": "training"}],
              "dataset": {"name": "imdb", "digest": "abc123", "source_type": "local", "source": "{\"uri\": \"/data\"}"}}]}
            """);
        var run = (await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).GetProperty("run");
        var found = await _client.OkAsync("/api/2.0/mlflow/runs/search", $$"""{"experiment_ids": ["{{experiment}}"], "filter": "datasets.context IN ('training') AND datasets.name = 'imdb'"}""");

        Assert.Equal(
            """{"dataset_inputs":[{"tags":[{"key":"mlflow.data.context","value":"training"}],"dataset":{"name":"imdb","digest":"abc123","source_type":"local","source":"{\"uri\": \"/data\"}"}}]}""",
            run.GetProperty("inputs").GetRawText());
        Assert.Equal("with-data", Names(found));
    }

    [Fact]
    public async Task LogBatch_EightConcurrentWriters_LoseNoPoint()
    {
        var runIds = new List<string>();
        for (var w = 0; w < 8; w++)
        {
            runIds.Add(await _client.CreateRunAsync("0", $"writer-{w}"));
        }

        await Task.WhenAll(runIds.Select(async runId =>
        {
            for (var r = 0; r < 5; r++)
            {
                var metrics = string.Join(",", Enumerable.Range(r * 100, 100).Select(i => $$"""{"key": "m", "value": {{i}}, "timestamp": {{i}}, "step": {{i}}}"""));
                await _client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{{metrics}}]}""");
            }
        }));

        foreach (var runId in runIds)
        {
            var history = await _client.OkGetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=m");
            Assert.Equal(500, history.GetProperty("metrics").GetArrayLength());
        }
    }
}
