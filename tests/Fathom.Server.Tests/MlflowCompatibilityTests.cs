using System.Net;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>
/// Where the audit against MLflow's server found Fathom answering differently, each case as a client sends it over
/// real HTTP and as it reads the answer.
/// </summary>
public sealed class MlflowCompatibilityTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private readonly MlflowClient _client = new(fixture.Http);

    [Fact]
    public async Task LogModel_AsMlflowClientsRecordIt_AppendsToTheRunsModelHistory()
    {
        var runId = await _client.CreateRunAsync("0", "log-model");
        string Model(string path) => JsonSerializer.Serialize(new
        {
            run_id = runId,
            model_json = JsonSerializer.Serialize(new { artifact_path = path, flavors = new { python_function = new { loader_module = "mlflow.sklearn" } }, run_id = runId, utc_time_created = "2026-12-01 05:00:00.000000" }),
        });

        await _client.OkAsync("/api/2.0/mlflow/runs/log-model", Model("model"));
        await _client.OkAsync("/ajax-api/2.0/mlflow/runs/log-model", Model("model-2"));
        var missing = await _client.PostAsync("/api/2.0/mlflow/runs/log-model", JsonSerializer.Serialize(new { run_id = runId, model_json = """{"artifact_path": "m", "run_id": "x"}""" }));
        var malformed = await _client.PostAsync("/api/2.0/mlflow/runs/log-model", JsonSerializer.Serialize(new { run_id = runId, model_json = "not json" }));
        var unknownRun = await _client.PostAsync("/api/2.0/mlflow/runs/log-model", Model("m").Replace(runId, "0123456789abcdef0123456789abcdef", StringComparison.Ordinal));
        var run = await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}");

        var history = run.GetProperty("run").GetProperty("data").GetProperty("tags").EnumerateArray()
            .Single(t => t.GetProperty("key").GetString() == "mlflow.log-model.history").GetProperty("value").GetString()!;
        Assert.Equal(["model", "model-2"], JsonDocument.Parse(history).RootElement.EnumerateArray().Select(m => m.GetProperty("artifact_path").GetString()));
        Assert.Equal("mlflow.sklearn", JsonDocument.Parse(history).RootElement[0].GetProperty("flavors").GetProperty("python_function").GetProperty("loader_module").GetString());
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", missing, "Model json is missing mandatory fields: {'flavors', 'utc_time_created'}");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", malformed, "Malformed model info. \n not json \n is not a valid JSON.");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", unknownRun, "Run with id=0123456789abcdef0123456789abcdef not found");
    }

    [Fact]
    public async Task Int64Fields_SentAsIntegralFloats_AreTakenAsProtobufTakesThem()
    {
        // JSON encoders that hold whole numbers in doubles (R's jsonlite, some JavaScript) write 1.7e12 or 3.0;
        // protobuf's JSON parser, and so MLflow, accepts an integral float for an int64 and refuses a fractional one.
        var created = await _client.OkAsync("/api/2.0/mlflow/runs/create", """{"experiment_id": "0", "run_name": "floats", "start_time": 1.7e12}""");
        var runId = created.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString();
        await _client.OkAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "loss", "value": 0.5, "timestamp": 1700000000001.0, "step": 3.0}""");
        var fractional = await _client.PostAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "loss", "value": 0.5, "timestamp": 1, "step": 2.5}""");
        var history = await _client.OkGetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss");

        Assert.Equal(1_700_000_000_000, created.GetProperty("run").GetProperty("info").GetProperty("start_time").GetInt64());
        var point = Assert.Single(history.GetProperty("metrics").EnumerateArray());
        Assert.Equal((1_700_000_000_001L, 3L), (point.GetProperty("timestamp").GetInt64(), point.GetProperty("step").GetInt64()));
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", fractional, "Invalid value 2.5 for parameter 'step' supplied. Hint: Value was of type 'float'.");
    }

    [Fact]
    public async Task GetHistoryBulk_TheUisAjaxRoute_AnswersEveryPointOfEachRunByRunId()
    {
        var first = await _client.CreateRunAsync("0", "bulk-a");
        var second = await _client.CreateRunAsync("0", "bulk-b");
        foreach (var (runId, offset) in new[] { (first, 0), (second, 10) })
        {
            await _client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""
                {"run_id": "{{runId}}", "metrics": [
                  {"key": "loss", "value": {{offset + 3}}, "timestamp": 30, "step": 2},
                  {"key": "loss", "value": {{offset + 1}}, "timestamp": 10, "step": 0},
                  {"key": "loss", "value": {{offset + 2}}, "timestamp": 20, "step": 1}]}
                """);
        }

        var ordered = string.CompareOrdinal(first, second) < 0 ? new[] { first, second } : [second, first];
        var all = await _client.OkGetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id={second}&run_id={first}&metric_key=loss");
        var capped = await _client.OkGetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id={second}&run_id={first}&metric_key=loss&max_results=4");
        var noRun = await _client.GetAsync("/ajax-api/2.0/mlflow/metrics/get-history-bulk?metric_key=loss");
        var noKey = await _client.GetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id={first}");
        var publicApi = await fixture.Http.GetAsync($"/api/2.0/mlflow/metrics/get-history-bulk?run_id={first}&metric_key=loss");

        static string[] Points(JsonElement body) => body.GetProperty("metrics").EnumerateArray()
            .Select(m => $"{m.GetProperty("run_id").GetString()}:{m.GetProperty("step").GetInt64()}:{m.GetProperty("value").GetDouble()}:{m.GetProperty("key").GetString()}").ToArray();
        var offsets = ordered.Select(id => id == first ? 0 : 10).ToArray();
        Assert.Equal(
            ordered.SelectMany((id, i) => Enumerable.Range(0, 3).Select(step => $"{id}:{step}:{offsets[i] + step + 1}:loss")),
            Points(all));
        Assert.Equal(Points(all).Take(4), Points(capped));
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noRun, "GetMetricHistoryBulk request must specify at least one run_id.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noKey, "GetMetricHistoryBulk request must specify a metric_key.");
        // MLflow mounts this one for its UI only.
        Assert.Equal(HttpStatusCode.NotFound, publicApi.StatusCode);
    }
}
