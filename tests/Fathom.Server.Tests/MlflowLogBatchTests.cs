using System.Globalization;
using System.Net;
using System.Text;

namespace Fathom.Server.Tests;

/// <summary>log-batch over HTTP: bodies as MLflow's clients write them, and the errors MLflow answers.</summary>
public sealed class MlflowLogBatchTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private const string MissingRunId = "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.";

    private readonly MlflowClient _client = new(fixture.Http);

    [Fact]
    public async Task LogBatch_ProtobufJsonWithRepeatsAndUnknownFields_StoresWhatMlflowWould()
    {
        var runId = await _client.CreateRunAsync("0", "protobuf-json");

        // Non-finite doubles and int64s as strings (protobuf JSON), fields log-batch does not know, a null field, and a
        // key written with a JSON escape.
        await _client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""
            {"run_id": "{{runId}}", "client": {"name": "mlflow", "version": [3, 6]}, "metrics": [
              {"key": "loss", "value": "NaN", "timestamp": "1700000000001", "step": "1"},
              {"key": "lo\u0073s", "value": "Infinity", "timestamp": 1700000000002, "step": 2},
              {"key": "loss", "value": -0.5, "timestamp": 1700000000003, "step": 3, "dataset_name": null}],
             "params": [{"key": "lr", "value": "0.1"}], "tags": [{"key": "team"}]}
            """);

        var history = await _client.OkGetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss");
        var data = (await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).GetProperty("run").GetProperty("data");

        // Infinity is stored as the largest double, as MLflow's SQL store does.
        Assert.Equal(
            """{"metrics":[{"key":"loss","value":"NaN","timestamp":1700000000001,"step":1},{"key":"loss","value":1.7976931348623157E+308,"timestamp":1700000000002,"step":2},{"key":"loss","value":-0.5,"timestamp":1700000000003,"step":3}]}""",
            history.GetRawText());
        Assert.Equal("""[{"key":"lr","value":"0.1"}]""", data.GetProperty("params").GetRawText());
        Assert.Contains("""{"key":"team","value":""}""", data.GetProperty("tags").GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", MissingRunId)]
    [InlineData("""{"run_id": null, "metrics": []}""", MissingRunId)]
    [InlineData("""{"run_id": "x", "metrics": [{"key": "m", "value": 1, "timestamp": 1}]} trailing""", "Malformed JSON request body: 't' is invalid after a single JSON value.")]
    [InlineData("""{"run_id": "RUN", "run_id": "RUN", "metrics": []}""", "Malformed JSON request body: Duplicate property 'run_id'")]
    [InlineData("""{"run_id": "RUN", "metrics": [{"key": "m", "value": "abc", "timestamp": 1}]}""",
        "Invalid value abc for parameter 'value' supplied. Hint: Value was of type 'str'. See the API docs for more information about request parameters.")]
    [InlineData("""{"run_id": "RUN", "metrics": [{"key": "m", "value": 1, "timestamp": [1]}]}""",
        "Invalid value [1] for parameter 'timestamp' supplied. Hint: Value was of type 'list'. See the API docs for more information about request parameters.")]
    [InlineData("""{"run_id": "RUN", "metrics": [{"value": 1, "timestamp": 1}]}""",
        "Missing value for required parameter 'key'. See the API docs for more information about request parameters.")]
    [InlineData("""{"run_id": "RUN", "metrics": {"key": "m"}}""",
        "Invalid value {\"key\": \"m\"} for parameter 'metrics' supplied. Hint: Value was of type 'dict'. See the API docs for more information about request parameters.")]
    public async Task LogBatch_BadBody_IsRefusedWithMlflowsMessage(string body, string message)
    {
        var runId = await _client.CreateRunAsync("0", "bad-bodies");

        var answer = await _client.PostAsync("/api/2.0/mlflow/runs/log-batch", body.Replace("RUN", runId, StringComparison.Ordinal));

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", answer);
        Assert.StartsWith(message, answer.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var data = (await _client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).GetProperty("run").GetProperty("data");
        Assert.False(data.TryGetProperty("metrics", out _));
    }

    [Fact]
    public async Task LogBatch_ChunkedBodyLargerThanOneReadBuffer_IsReadWhole()
    {
        var runId = await _client.CreateRunAsync("0", "chunked-large");
        // 1,000 points with long keys: about 150 KB, several times the first buffer, with no Content-Length.
        var points = string.Join(",", Enumerable.Range(0, 1000).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $$"""{"key": "metric-with-a-long-name-{{i % 4}}-{{new string('k', 60)}}", "value": {{i}}.5, "timestamp": {{i}}, "step": {{i}}}""")));
        using var content = new ChunkedJson($$"""{"run_id": "{{runId}}", "metrics": [{{points}}]}""");

        using var response = await fixture.Http.PostAsync("/api/2.0/mlflow/runs/log-batch", content);
        var history = await _client.OkGetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=metric-with-a-long-name-3-{new string('k', 60)}");

        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var steps = history.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("step").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (4L * i) + 3), steps);
        Assert.Equal(999.5, history.GetProperty("metrics")[249].GetProperty("value").GetDouble());
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

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            // In pieces, as a client streaming its body would send it.
            for (var at = 0; at < _bytes.Length; at += 10_000)
            {
                await stream.WriteAsync(_bytes.AsMemory(at, Math.Min(10_000, _bytes.Length - at)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
