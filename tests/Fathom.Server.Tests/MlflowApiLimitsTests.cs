using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>MLflow's limits and the smaller RPCs its UI uses: log-batch limits, artifact locations, downloads, datasets.</summary>
public sealed class MlflowApiLimitsTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private readonly MlflowClient _client = new(fixture.Http);

    [Fact]
    public async Task LogBatch_OverMlflowsLimits_IsRefusedWithItsMessages()
    {
        var runId = await _client.CreateRunAsync("0", "limits");
        string Items(int count, string kind) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => kind == "metrics"
            ? $$"""{"key": "m{{i}}", "value": 1, "timestamp": 1}"""
            : $$"""{"key": "{{kind}}{{i}}", "value": "v"}""")) + "]";

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "params": {{Items(101, "p")}}}"""),
            "A batch logging request can contain at most 100 params. Got 101 params.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "tags": {{Items(101, "t")}}}"""),
            "A batch logging request can contain at most 100 tags. Got 101 tags.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": {{Items(900, "metrics")}}, "params": {{Items(100, "p")}}, "tags": {{Items(1, "t")}}}"""),
            "A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags.");
        var huge = new string('x', 1_000_001);
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{runId}}", "params": [{"key": "big", "value": "{{huge}}"}]}"""),
            "Batched logging API requests must be at most 1000000 bytes, got a request of size 1000088.");
        var run = await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}");
        Assert.False(run.GetProperty("run").GetProperty("data").TryGetProperty("params", out _));
    }

    // With MLFLOW_TRUNCATE_LONG_VALUES=false MLflow refuses what it would otherwise shorten, in these words.
    [Fact]
    public void LongValues_WithTruncationOff_AreRefusedInMlflowsWords()
    {
        var param = Assert.Throws<Tracking.TrackingException>(() => Tracking.TrackingValidation.LimitValues([new("p", new string('p', 6001))], [], truncate: false));
        var tag = Assert.Throws<Tracking.TrackingException>(() => Tracking.TrackingValidation.LimitValues([], [new("t", new string('t', 8001))], truncate: false));
        var fits = Tracking.TrackingValidation.LimitValues([new("p", new string('p', 6000))], [new("t", new string('t', 8000))], truncate: false);

        Assert.Equal("'Param value' exceeds the maximum length of 6000 characters", param.Message);
        Assert.Equal("'value' exceeds the maximum length of 8000 characters", tag.Message);
        Assert.Equal((6000, 8000), (fits.Params[0].Value.Length, fits.Tags[0].Value.Length));
        Assert.Equal([true, true, true, false, false, false], new[] { null, "", "TRUE", "false", "0", " False " }.Select(Tracking.TrackingValidation.ReadTruncateSetting));
    }

    [Fact]
    public async Task LogBatch_ChunkedBodyWithoutContentLength_IsMeasuredOnTheBytesRead()
    {
        var runId = await _client.CreateRunAsync("0", "chunked");
        var huge = new string('x', 1_000_001);
        using var tooLargeContent = new ChunkedJson($$"""{"run_id": "{{runId}}", "params": [{"key": "big", "value": "{{huge}}"}]}""");
        using var smallContent = new ChunkedJson($$"""{"run_id": "{{runId}}", "params": [{"key": "small", "value": "v"}]}""");

        using var tooLarge = await fixture.Http.PostAsync("/api/2.0/mlflow/runs/log-batch", tooLargeContent);
        using var small = await fixture.Http.PostAsync("/api/2.0/mlflow/runs/log-batch", smallContent);
        var error = JsonDocument.Parse(await tooLarge.Content.ReadAsStringAsync()).RootElement;
        var run = await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}");

        // No Content-Length went out, so only counting the bytes read can catch the oversized body.
        Assert.Null(tooLarge.RequestMessage!.Content!.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Equal("INVALID_PARAMETER_VALUE", error.GetProperty("error_code").GetString());
        Assert.Equal("Batched logging API requests must be at most 1000000 bytes, got a request of size 1000088.", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(["small"], run.GetProperty("run").GetProperty("data").GetProperty("params").EnumerateArray().Select(p => p.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task LongBodies_WithAuthOff_AreRefusedBeforeParsing_WhetherAnnouncedOrChunked()
    {
        var runId = await _client.CreateRunAsync("0", "long-bodies");
        var pad = new string(' ', 21_000_000);
        using var announcedContent = new StringContent($$"""{"run_id": "{{runId}}", "key": "announced", "value": "v", "pad": "{{pad}}"}""", Encoding.UTF8, "application/json");
        using var chunkedContent = new ChunkedJson($$"""{"experiment_id": "0", "key": "chunked", "value": "v", "pad": "{{pad}}"}""");
        using var withinContent = new ChunkedJson($$"""{"run_id": "{{runId}}", "key": "within", "value": "{{new string('v', 7_000)}}", "pad": "{{new string(' ', 5_000_000)}}"}""");

        using var announced = await fixture.Http.PostAsync("/api/2.0/mlflow/runs/set-tag", announcedContent);
        using var chunked = await fixture.Http.PostAsync("/ajax-api/2.0/mlflow/experiments/set-experiment-tag", chunkedContent);
        using var within = await fixture.Http.PostAsync("/api/2.0/mlflow/runs/set-tag", withinContent);
        var run = await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}");
        var experiment = await _client.OkGetAsync("/api/2.0/mlflow/experiments/get?experiment_id=0");

        foreach (var (response, size) in new[] { (announced, 21_000_091), (chunked, 21_000_065) })
        {
            MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
                (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement),
                $"Request bodies must be at most 20000000 bytes, got a request of size {size}.");
        }

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(["mlflow.runName", "within"], run.GetProperty("run").GetProperty("data").GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("key").GetString()));
        Assert.DoesNotContain("chunked", experiment.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://host/#/../../../etc/", "'artifact_location' URL can't include fragments or params.")]
    [InlineData("http://host/;..%2F..%2Fetc", "'artifact_location' URL can't include fragments or params.")]
    [InlineData("s3://bucket/path?x=..%2F..", "Invalid query string")]
    [InlineData("s3://bucket/path?x=%252e%252e%252f", "Invalid query string")]
    [InlineData("runs:/0123/model", "Artifact location cannot be a runs:/ URI. Given: 'runs:/0123/model'")]
    public async Task CreateExperiment_UnsafeArtifactLocation_IsRefused(string location, string message)
    {
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE",
            await _client.PostAsync("/api/2.0/mlflow/experiments/create", JsonSerializer.Serialize(new { name = "loc-" + Guid.NewGuid().ToString("N"), artifact_location = location })),
            message);
    }

    [Fact]
    public async Task CreateExperiment_PlainArtifactLocation_IsKept()
    {
        var id = (await _client.OkAsync("/api/2.0/mlflow/experiments/create", """{"name": "plain-location", "artifact_location": "s3://bucket/team/models?versionId=3"}""")).GetProperty("experiment_id").GetString();

        var experiment = await _client.OkGetAsync($"/api/2.0/mlflow/experiments/get?experiment_id={id}");

        Assert.Equal("s3://bucket/team/models?versionId=3", experiment.GetProperty("experiment").GetProperty("artifact_location").GetString());
    }

    [Fact]
    public async Task GetArtifact_DownloadsARunsFileAsAnAttachment()
    {
        var runId = await _client.CreateRunAsync("0", "download");
        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes("artifact_path: model\n")))
        {
            (await fixture.Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/0/{runId}/artifacts/model/MLmodel", content)).EnsureSuccessStatusCode();
        }

        using var byUuid = await fixture.Http.GetAsync($"/get-artifact?path=model/MLmodel&run_uuid={runId}");
        using var byId = await fixture.Http.GetAsync($"/get-artifact?path=model%2FMLmodel&run_id={runId}");
        var missing = await _client.GetAsync($"/get-artifact?path=model/absent.txt&run_uuid={runId}");
        var traversal = await _client.GetAsync($"/get-artifact?path=../../../etc/passwd&run_uuid={runId}");
        var noRun = await _client.GetAsync("/get-artifact?path=model/MLmodel&run_uuid=0123456789abcdef0123456789abcdef");

        Assert.Equal(HttpStatusCode.OK, byUuid.StatusCode);
        Assert.Equal("artifact_path: model\n", await byUuid.Content.ReadAsStringAsync());
        Assert.Equal("attachment; filename=MLmodel", byUuid.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal("nosniff", byUuid.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("artifact_path: model\n", await byId.Content.ReadAsStringAsync());
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", missing, "File model/absent.txt not found");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", traversal, "Invalid path");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", noRun);
    }

    [Fact]
    public async Task GetModelVersionArtifact_DownloadsFromTheVersionsStorageLocation()
    {
        var runId = await _client.CreateRunAsync("0", "mv-download");
        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes("flavors: {}\n")))
        {
            (await fixture.Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/0/{runId}/artifacts/model/MLmodel", content)).EnsureSuccessStatusCode();
        }

        var name = "mv-download-" + Guid.NewGuid().ToString("N");
        await _client.OkAsync("/api/2.0/mlflow/registered-models/create", JsonSerializer.Serialize(new { name }));
        await _client.OkAsync("/api/2.0/mlflow/model-versions/create", JsonSerializer.Serialize(new { name, source = $"mlflow-artifacts:/0/{runId}/artifacts/model", run_id = runId }));

        using var file = await fixture.Http.GetAsync($"/model-versions/get-artifact?name={name}&version=1&path=MLmodel");
        var traversal = await _client.GetAsync($"/model-versions/get-artifact?name={name}&version=1&path=../../other/x");
        var noVersion = await _client.GetAsync($"/model-versions/get-artifact?name={name}&version=2&path=MLmodel");

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("flavors: {}\n", await file.Content.ReadAsStringAsync());
        Assert.Equal("attachment; filename=MLmodel", file.Content.Headers.ContentDisposition?.ToString());
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", traversal, "Invalid path");
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", noVersion, $"Model Version (name={name}, version=2) not found");
    }

    [Fact]
    public async Task SearchDatasets_SummarisesEachDistinctDatasetAndContext()
    {
        var experiment = await _client.CreateExperimentAsync("datasets-" + Guid.NewGuid().ToString("N"));
        var first = await _client.CreateRunAsync(experiment, "train-1");
        var second = await _client.CreateRunAsync(experiment, "train-2");
        const string Inputs = """
            [{"dataset": {"name": "imdb", "digest": "abc123", "source_type": "local", "source": "samples/imdb"}, "tags": [{"key": "mlflow.data.context", "value": "training"}]},
             {"dataset": {"name": "imdb-test", "digest": "def456", "source_type": "local", "source": "samples/imdb/test"}, "tags": []}]
            """;
        await _client.OkAsync("/api/2.0/mlflow/runs/log-inputs", $$"""{"run_id": "{{first}}", "datasets": {{Inputs}}}""");
        await _client.OkAsync("/api/2.0/mlflow/runs/log-inputs", $$"""{"run_id": "{{second}}", "datasets": {{Inputs}}}""");

        var summaries = await _client.OkAsync("/ajax-api/2.0/mlflow/experiments/search-datasets", $$"""{"experiment_ids": ["{{experiment}}"]}""");
        var none = await _client.PostAsync("/ajax-api/2.0/mlflow/experiments/search-datasets", "{}");
        var tooMany = await _client.PostAsync("/ajax-api/2.0/mlflow/experiments/search-datasets", JsonSerializer.Serialize(new { experiment_ids = Enumerable.Range(1, 21).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)) }));

        Assert.Equal(
            [$"{experiment}/imdb-test/def456/-", $"{experiment}/imdb/abc123/training"],
            summaries.GetProperty("dataset_summaries").EnumerateArray()
                .Select(s => $"{s.GetProperty("experiment_id").GetString()}/{s.GetProperty("name").GetString()}/{s.GetProperty("digest").GetString()}/{(s.TryGetProperty("context", out var c) ? c.GetString() : "-")}")
                .Order(StringComparer.Ordinal));
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", none, "SearchDatasets request must specify at least one experiment_id.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", tooMany, "SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.");
    }

    /// <summary>A JSON body of unknown length, so HttpClient sends it with chunked transfer encoding.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedJson(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
