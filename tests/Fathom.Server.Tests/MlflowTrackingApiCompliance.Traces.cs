using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>
/// MLflow's tracing API (v2) as its 2.14+ Python client drives it: start the trace, write the spans as the trace's
/// artifact where its mlflow.artifactLocation tag says (through the artifact proxy), end it, search, tag, delete.
/// </summary>
public abstract partial class MlflowTrackingApiCompliance
{
    private async Task<JsonElement> StartTraceAsync(string experimentId, long timestamp, string tags = "[]") =>
        (await Client.OkAsync("/api/2.0/mlflow/traces", $$"""
            {"experiment_id": "{{experimentId}}", "timestamp_ms": {{timestamp}},
             "request_metadata": [{"key": "mlflow.traceInputs", "value": "{\"question\": \"why\"}"}], "tags": {{tags}}}
            """)).GetProperty("trace_info");

    [SkippableFact]
    public async Task Trace_StartStoreSpansEndGet_AnswersInMlflowsShape()
    {
        SkipIfUnavailable();
        var experimentId = await Client.CreateExperimentAsync("traces-" + Guid.NewGuid().ToString("N"));

        var started = await StartTraceAsync(experimentId, 1_700_000_000_000, """[{"key": "mlflow.traceName", "value": "predict"}]""");
        var id = started.GetProperty("request_id").GetString()!;
        var location = started.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("key").GetString() == "mlflow.artifactLocation").GetProperty("value").GetString()!;
        // The client's artifact repository for mlflow-artifacts:/<path> PUTs to the proxy.
        const string Spans = """{"spans": [{"name": "predict", "context": {"span_id": "0x1"}}], "request": "{}", "response": "{}"}""";
        using (var content = new StringContent(Spans, Encoding.UTF8, "application/json"))
        {
            using var put = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{location["mlflow-artifacts:/".Length..]}/traces.json", content);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var ended = await Client.OkSendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/traces/{id}", """
            {"request_id": "ignored-the-path-wins", "timestamp_ms": 1700000000250, "status": "OK",
             "request_metadata": [{"key": "mlflow.traceOutputs", "value": "\"because\""}], "tags": [{"key": "topic", "value": "faq"}]}
            """);
        var info = await Client.OkGetAsync($"/api/2.0/mlflow/traces/{id}/info");
        using var spans = await Http.GetAsync($"/ajax-api/2.0/mlflow/get-trace-artifact?request_id={id}");

        Assert.Equal($"mlflow-artifacts:/{experimentId}/traces/{id}/artifacts", location);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(
            $$"""{"request_id":"{{id}}","experiment_id":"{{experimentId}}","timestamp_ms":1700000000000,"status":"IN_PROGRESS","request_metadata":[{"key":"mlflow.traceInputs","value":"{\"question\": \"why\"}"}],"tags":[{"key":"mlflow.artifactLocation","value":"{{location}}"},{"key":"mlflow.traceName","value":"predict"}]}""",
            started.GetRawText());
        Assert.Equal(
            $$$"""{"trace_info":{"request_id":"{{{id}}}","experiment_id":"{{{experimentId}}}","timestamp_ms":1700000000000,"execution_time_ms":250,"status":"OK","request_metadata":[{"key":"mlflow.traceInputs","value":"{\"question\": \"why\"}"},{"key":"mlflow.traceOutputs","value":"\"because\""}],"tags":[{"key":"mlflow.artifactLocation","value":"{{{location}}}"},{"key":"mlflow.traceName","value":"predict"},{"key":"topic","value":"faq"}]}}""",
            ended.GetRawText());
        Assert.Equal(ended.GetRawText(), info.GetRawText());
        Assert.Equal(HttpStatusCode.OK, spans.StatusCode);
        Assert.Equal(Spans, await spans.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task Traces_SearchTagAndDelete_AsMlflowsClientCallsThem()
    {
        SkipIfUnavailable();
        var experimentId = await Client.CreateExperimentAsync("trace-search-" + Guid.NewGuid().ToString("N"));
        var first = (await StartTraceAsync(experimentId, 1000)).GetProperty("request_id").GetString()!;
        var second = (await StartTraceAsync(experimentId, 2000)).GetProperty("request_id").GetString()!;
        await Client.OkSendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/traces/{first}", """{"timestamp_ms": 1100, "status": "ERROR"}""");
        await Client.OkSendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/traces/{second}/tags", """{"key": "reviewed", "value": "yes"}""");
        await Client.OkSendAsync(HttpMethod.Patch, $"/api/2.0/mlflow/traces/{second}/tags", """{"key": "draft", "value": "1"}""");
        await Client.OkSendAsync(HttpMethod.Delete, $"/api/2.0/mlflow/traces/{second}/tags", """{"key": "draft"}""");

        // MLflow's client searches with a GET, its parameters in the query string.
        var all = await Client.OkGetAsync($"/api/2.0/mlflow/traces?experiment_ids={experimentId}&max_results=1");
        var next = await Client.OkGetAsync($"/api/2.0/mlflow/traces?experiment_ids={experimentId}&max_results=1&page_token={all.GetProperty("next_page_token").GetString()}");
        var failed = await Client.OkGetAsync($"/api/2.0/mlflow/traces?experiment_ids={experimentId}&filter={Uri.EscapeDataString("trace.status = 'ERROR'")}");
        var reviewed = await Client.OkGetAsync($"/api/2.0/mlflow/traces?experiment_ids={experimentId}&filter={Uri.EscapeDataString("tags.reviewed = 'yes'")}&order_by=timestamp_ms%20ASC");
        var absentTag = await Client.SendAsync(HttpMethod.Delete, $"/api/2.0/mlflow/traces/{second}/tags", """{"key": "draft"}""");
        var deleted = await Client.OkAsync("/api/2.0/mlflow/traces/delete-traces", $$"""{"experiment_id": "{{experimentId}}", "request_ids": ["{{first}}"]}""");
        var afterDelete = await Client.GetAsync($"/api/2.0/mlflow/traces/{first}/info");
        var none = await Client.OkGetAsync($"/api/2.0/mlflow/traces?experiment_ids={experimentId}&filter={Uri.EscapeDataString("trace.status = 'ERROR'")}");

        string Ids(JsonElement page) => string.Join(",", page.GetProperty("traces").EnumerateArray().Select(t => t.GetProperty("request_id").GetString()));
        Assert.Equal(second, Ids(all));
        Assert.Equal(first, Ids(next));
        Assert.Equal(first, Ids(failed));
        Assert.Equal(second, Ids(reviewed));
        Assert.False(reviewed.TryGetProperty("next_page_token", out _));
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", absentTag, $"No trace tag with key 'draft' for trace with request_id '{second}'");
        Assert.Equal("""{"traces_deleted":1}""", deleted.GetRawText());
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", afterDelete, $"Trace with request_id '{first}' not found.");
        Assert.Equal("{}", none.GetRawText());
    }

    [SkippableFact]
    public async Task Traces_BadRequests_AreRefusedInMlflowsWords()
    {
        SkipIfUnavailable();
        var noCriteria = await Client.PostAsync("/api/2.0/mlflow/traces/delete-traces", """{"experiment_id": "0"}""");
        var bothCriteria = await Client.PostAsync("/api/2.0/mlflow/traces/delete-traces", """{"experiment_id": "0", "max_timestamp_millis": 5, "request_ids": ["x"]}""");
        var noExperiments = await Client.GetAsync("/api/2.0/mlflow/traces?max_results=10");
        var tooMany = await Client.GetAsync("/api/2.0/mlflow/traces?experiment_ids=0&max_results=501");
        var like = await Client.GetAsync($"/api/2.0/mlflow/traces?experiment_ids=0&filter={Uri.EscapeDataString("tags.a LIKE 'x%'")}");
        var unknownExperiment = await Client.PostAsync("/api/2.0/mlflow/traces", """{"experiment_id": "987654", "timestamp_ms": 1}""");
        var badStatus = await Client.SendAsync(HttpMethod.Patch, "/api/2.0/mlflow/traces/0123456789abcdef0123456789abcdef", """{"timestamp_ms": 1, "status": "DONE"}""");
        var tagWithoutKey = await Client.PostAsync("/api/2.0/mlflow/traces", """{"experiment_id": "0", "timestamp_ms": 1, "tags": [{"value": "v"}]}""");

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noCriteria, "Either `max_timestamp_millis` or `request_ids` must be specified.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", bothCriteria, "Only one of `max_timestamp_millis` and `request_ids` can be specified.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", noExperiments, "Missing value for required parameter 'experiment_ids'");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", tooMany, "It must be at most 500");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", like, "Invalid comparator 'LIKE'");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", unknownExperiment, "No Experiment with id=987654 exists");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", badStatus, "Invalid value DONE for parameter 'status' supplied.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", tagWithoutKey, "Missing value for required parameter 'key'");
    }
}
