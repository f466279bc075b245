using System.Globalization;
using System.Net;
using System.Text.Json;
using Fathom.Mlflow;

namespace Fathom.Server.Tests;

public sealed class MlflowMetricHistoryTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private readonly MlflowClient _client = new(fixture.Http);

    [Fact]
    public async Task GetHistory_LongerThanOneChunk_StreamsEveryPointInOrder()
    {
        // 20,000 points are about 1.4 MB of JSON: many chunks, so the answer goes out streamed (no Content-Length).
        var runId = await _client.CreateRunAsync("0", "long-history");
        await LogStepsAsync(runId, "loss", Enumerable.Range(0, 20_000).Select(i => (long)i));

        using var response = await fixture.Http.GetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var page = await _client.OkGetAsync($"/ajax-api/2.0/mlflow/metrics/get-history?run_uuid={runId}&metric_key=loss&max_results=19999");
        var last = await _client.OkGetAsync(
            $"/ajax-api/2.0/mlflow/metrics/get-history?run_uuid={runId}&metric_key=loss&max_results=19999&page_token={Uri.EscapeDataString(page.GetProperty("next_page_token").GetString()!)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var steps = body.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("step").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (long)i), steps);
        Assert.Equal(0.5, body.GetProperty("metrics")[1].GetProperty("value").GetDouble());
        Assert.False(body.TryGetProperty("next_page_token", out _));
        Assert.Equal(19_999, page.GetProperty("metrics").GetArrayLength());
        Assert.Equal("""{"metrics":[{"key":"loss","value":5E-05,"timestamp":1700000019999,"step":19999}]}""", last.GetRawText());
    }

    [Fact]
    public async Task GetHistory_WithoutMetricKey_IsMlflowsError()
    {
        var runId = await _client.CreateRunAsync("0", "no-key");

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.GetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}"), "Missing value for required parameter 'metric_key'");
    }

    [Fact]
    public async Task BulkInterval_SamplesCommonStepsAndKeepsEachRunsEnds()
    {
        // Run a logs steps 0..9, run b the even steps 0..18: 15 distinct steps. Sampling 5 of them takes every
        // third (0, 3, 6, 9, 14) plus the last (18), and each run's first and last step are kept too.
        var a = await _client.CreateRunAsync("0", "bulk-a");
        var b = await _client.CreateRunAsync("0", "bulk-b");
        await LogStepsAsync(a, "acc", Enumerable.Range(0, 10).Select(i => (long)i));
        await LogStepsAsync(b, "acc", Enumerable.Range(0, 10).Select(i => i * 2L));

        var sampled = await _client.OkGetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={a}&run_ids={b}&metric_key=acc&max_results=5");
        var window = await _client.OkGetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={a}&run_ids={b}&metric_key=acc&max_results=2&start_step=2&end_step=8");
        var everything = await _client.OkGetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={a}&metric_key=acc");

        Assert.Equal([$"{a}@0", $"{a}@3", $"{a}@6", $"{a}@9", $"{b}@0", $"{b}@6", $"{b}@14", $"{b}@18"], Points(sampled));
        Assert.Equal([$"{a}@2", $"{a}@5", $"{a}@8", $"{b}@2", $"{b}@8"], Points(window));
        Assert.Equal(10, everything.GetProperty("metrics").GetArrayLength());
        Assert.Equal(
            $$"""{"key":"acc","value":0.5,"timestamp":1700000000001,"step":1,"run_id":"{{a}}"}""",
            everything.GetProperty("metrics")[1].GetRawText());
    }

    [Theory]
    [InlineData("metric_key=acc", "Missing value for required parameter 'run_ids'")]
    [InlineData("run_ids=x&metric_key=acc&max_results=2501", "max_results must be between 1 and 2500.")]
    [InlineData("run_ids=x&metric_key=acc&start_step=5", "If either start step or end step are specified, both must be specified.")]
    [InlineData("run_ids=x&metric_key=acc&start_step=5&end_step=4", "end_step must be greater than start_step. Found start_step=5 and end_step=4.")]
    public async Task BulkInterval_BadArguments_AreMlflowsErrors(string query, string message)
    {
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.GetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?{query}"), message);
    }

    [Fact]
    public async Task BulkInterval_MoreThan100Runs_IsRefused()
    {
        var query = string.Join("&", Enumerable.Range(0, 101).Select(i => $"run_ids=r{i}"));

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.GetAsync($"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?{query}&metric_key=acc"),
            "GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.");
    }

    [Theory]
    [InlineData(new long[] { 0, 1, 2, 3, 4 }, 0, 4, 10, new long[] { 0, 1, 2, 3, 4 })]
    [InlineData(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 0, 9, 3, new long[] { 0, 3, 6, 9 })]
    [InlineData(new long[] { 10, 20, 30 }, 15, 25, 5, new long[] { 20 })]
    [InlineData(new long[] { }, 0, 0, 5, new long[] { })]
    // MLflow compares the sampled index with the count of steps in range, not the range's end, so a window that
    // starts late loses samples near its end; the last step is still added.
    [InlineData(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 6, 9, 2, new long[] { 9 })]
    public void SampleSteps_MirrorsMlflow(long[] steps, long start, long end, int maxResults, long[] expected)
    {
        Assert.Equal(expected, MetricSampling.SampleSteps(steps, start, end, maxResults).Order());
    }

    private static string[] Points(JsonElement body) =>
        body.GetProperty("metrics").EnumerateArray().Select(m => $"{m.GetProperty("run_id").GetString()}@{m.GetProperty("step").GetInt64()}").ToArray();

    private async Task LogStepsAsync(string runId, string key, IEnumerable<long> steps)
    {
        foreach (var chunk in steps.Chunk(1000))
        {
            var metrics = string.Join(",", chunk.Select(s => string.Create(CultureInfo.InvariantCulture, $$"""{"key": "{{key}}", "value": {{1.0 / (s + 1)}}, "timestamp": {{1_700_000_000_000 + s}}, "step": {{s}}}""")));
            await _client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{{metrics}}]}""");
        }
    }
}
