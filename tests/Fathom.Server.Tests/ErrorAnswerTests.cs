using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>
/// Every error the tracking server gives has a JSON body in MLflow's shape, whoever produced it (routing, limits, the
/// body reader), and bodies that cannot be read are refused with a message instead of a 500.
/// </summary>
public sealed class ErrorAnswerTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private readonly MlflowClient _client = new(fixture.Http);

    private async Task<(HttpStatusCode Status, string Code, string Message)> SendAsync(HttpMethod method, string path, byte[]? body = null, string contentType = "application/json")
    {
        // Expect: 100-continue, so that a refusal before the body is read reaches the client before it sends the body.
        using var request = new HttpRequestMessage(method, path) { Headers = { ExpectContinue = true } };
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using var response = await fixture.Http.SendAsync(request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, json.GetProperty("error_code").GetString()!, json.GetProperty("message").GetString()!);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE }, "not valid UTF-8")]
    [InlineData(new byte[] { 0xC3, 0x28 }, "not valid UTF-8")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' }, "lone surrogate")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'c', (byte)'0', (byte)'0' }, "lone surrogate")]
    public async Task Body_NotUtf8OrWithALoneSurrogate_Is400WithAMessage(byte[] insert, string says)
    {
        var body = Encoding.UTF8.GetBytes("""{"name": "exp-X"}""").ToList();
        var at = body.IndexOf((byte)'X');
        body.RemoveAt(at);
        body.InsertRange(at, insert);

        var (status, code, message) = await SendAsync(HttpMethod.Post, "/api/2.0/mlflow/experiments/create", [.. body]);

        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"), (status, code));
        Assert.Contains(says, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SurrogatePair_IsOneCharacter_AndAccepted()
    {
        var id = await _client.OkAsync("/api/2.0/mlflow/experiments/create", """{"name": "emoji-\ud83d\ude00"}""");

        Assert.False(string.IsNullOrEmpty(id.GetProperty("experiment_id").GetString()));
    }

    [Theory]
    [InlineData("GET", "/api/2.0/mlflow/no-such-rpc", HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND")]
    [InlineData("GET", "/api/2.0/mlflow/Experiments/Search", HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND")]
    [InlineData("GET", "/api/2.0/mlflow/experiments/search/", HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND")]
    [InlineData("DELETE", "/api/2.0/mlflow/experiments/search", HttpStatusCode.MethodNotAllowed, "BAD_REQUEST")]
    [InlineData("HEAD", "/api/2.0/mlflow/experiments/get", HttpStatusCode.MethodNotAllowed, "BAD_REQUEST")]
    public async Task RoutingRefusals_HaveMlflowsErrorShape(string method, string path, HttpStatusCode expected, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(expected, response.StatusCode);
        if (method != "HEAD")
        {
            Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("error_code").GetString());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task GetHistory_MaxResultsBelowOne_IsRefused_NotATokenBackToTheStart(int maxResults)
    {
        var runId = await _client.CreateRunAsync("0", "paging");
        await _client.OkAsync("/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "m", "value": 1, "timestamp": 1}""");

        var answer = await _client.GetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=m&max_results={maxResults}");

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", answer, "It must be at least 1");
    }

    // Uploads lift Kestrel's request limit for themselves only (see the artifact suites): an RPC body stays bounded,
    // whether its length is announced (refused before it is read) or not (counted as it is read).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RpcBody_OverTheServersRequestLimit_IsStillRefusedWithAJsonBody(bool announced)
    {
        // 100 bytes over Kestrel's 30,000,000: an unannounced body is refused once the server has read past the limit,
        // and the server then closes the connection. With a megabyte over, the client could still be writing then and
        // got a broken pipe instead of the answer (seen once under load); 100 bytes are in the socket's buffer by then.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/2.0/mlflow/experiments/create") { Headers = { ExpectContinue = true } };
        request.Content = announced ? new ByteArrayContent(new byte[30_000_100]) : new StreamContent(new MemoryStream(new byte[30_000_100]));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (!announced)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await fixture.Http.SendAsync(request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, response.StatusCode.ToString());
        Assert.Equal("INVALID_PARAMETER_VALUE", json.GetProperty("error_code").GetString());
    }
}
