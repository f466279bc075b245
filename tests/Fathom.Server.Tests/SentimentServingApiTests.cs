using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

public sealed class SentimentServingApiTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private readonly HttpClient _http = fixture.Http;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("/api/v1/model/predict", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Predict_Reviews_ScoresEachInRequestOrder()
    {
        var (status, body) = await PostAsync("""
            {"reviews": [
              {"id": 9176, "text": "This movie is quite boring. Terrible acting, awful plot, a waste of time."},
              {"id": 7, "text": "A wonderful, moving film. Brilliant performances and a great story; I loved it."},
              {"id": 12, "text": "<br />An excellent, beautiful masterpiece!"}
            ]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        var data = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([9176L, 7L, 12L], data.Select(d => d.GetProperty("review_id").GetInt64()));
        Assert.Equal("negative", data[0].GetProperty("sentiment").GetString());
        Assert.Equal("positive", data[1].GetProperty("sentiment").GetString());
        foreach (var item in data)
        {
            var p = item.GetProperty("logit_prob").GetDouble();
            Assert.InRange(p, 0, 1);
            Assert.Equal(p > 0.5 ? "positive" : "negative", item.GetProperty("sentiment").GetString());
        }
    }

    [Fact]
    public async Task Predict_SameTextAsModel_MatchesDirectScoring()
    {
        const string text = "Not bad at all, but the ending dragged.";
        var (_, body) = await PostAsync(JsonSerializer.Serialize(new { reviews = new[] { new { id = 1, text } } }));

        Assert.Equal(Math.Round(fixture.Model.PredictProbability(text), 6), body.GetProperty("data")[0].GetProperty("logit_prob").GetDouble(), 6);
    }

    [Fact]
    public async Task Predict_EmptyList_ReturnsEmptyData()
    {
        var (status, body) = await PostAsync("""{"reviews": []}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"reviews": [{"id": 1, "text": "ok"}, {"id": 2}]}""", """["body","reviews",1,"text"]""", "missing")]
    [InlineData("""{"reviews": [{"id": "x", "text": "ok"}]}""", """["body","reviews",0,"id"]""", "int_type")]
    [InlineData("""{"reviews": [{"id": 1, "text": 5}]}""", """["body","reviews",0,"text"]""", "string_type")]
    [InlineData("""{"reviews": {"id": 1}}""", """["body","reviews"]""", "list_type")]
    [InlineData("""{"items": []}""", """["body","reviews"]""", "missing")]
    [InlineData("""[1, 2]""", """["body"]""", "model_attributes_type")]
    public async Task Predict_InvalidField_Is422NamingTheField(string json, string loc, string type)
    {
        var (status, body) = await PostAsync(json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var detail = Assert.Single(body.GetProperty("detail").EnumerateArray());
        Assert.Equal(loc, JsonSerializer.Serialize(detail.GetProperty("loc")));
        Assert.Equal(type, detail.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Predict_MalformedJson_Is422JsonInvalid()
    {
        var (status, body) = await PostAsync("""{"reviews": [{"id": 1, "text": "unterminated""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("json_invalid", body.GetProperty("detail")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Predict_TextOverLimit_IsRefusedWithLimitInMessage()
    {
        var (status, body) = await PostAsync(JsonSerializer.Serialize(new { reviews = new[] { new { id = 3, text = new string('a', 5_001) } } }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var detail = body.GetProperty("detail")[0];
        Assert.Equal("string_too_long", detail.GetProperty("type").GetString());
        Assert.Contains("at most 5000 characters", detail.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_TooManyReviews_IsRefused()
    {
        var reviews = Enumerable.Range(0, 101).Select(i => new { id = i, text = "fine" });
        var (status, body) = await PostAsync(JsonSerializer.Serialize(new { reviews }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("too_long", body.GetProperty("detail")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Predict_ConcurrentRequests_AgreeWithSequentialOnes()
    {
        var texts = Enumerable.Range(0, 32).Select(i => $"review number {i}: {(i % 2 == 0 ? "great fun, loved it" : "dull and boring")}").ToArray();
        var json = JsonSerializer.Serialize(new { reviews = texts.Select((t, i) => new { id = i, text = t }) });
        var expected = JsonSerializer.Serialize((await PostAsync(json)).Body);

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => PostAsync(json)));

        Assert.All(results, r => Assert.Equal(expected, JsonSerializer.Serialize(r.Body)));
    }

    [Fact]
    public async Task Version_ReturnsModelUuid()
    {
        var json = JsonDocument.Parse(await _http.GetStringAsync("/api/v1/model/version")).RootElement;
        Assert.Equal(ServingFixture.ModelUuid, json.GetProperty("data").GetProperty("model_uuid").GetString());
    }

    [Fact]
    public async Task Health_IsOk()
    {
        using var response = await _http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesPredictAndDocsPageIsServed()
    {
        var openApi = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json")).RootElement;
        using var docs = await _http.GetAsync("/docs");

        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/model/predict", out var predict));
        Assert.True(predict.GetProperty("post").TryGetProperty("requestBody", out _));
        Assert.True(paths.TryGetProperty("/api/v1/model/version", out _));
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApi_AtFastApisAddress_RelativeServer_ExamplesAndVersionBodyDocumented()
    {
        var openApi = JsonDocument.Parse(await _http.GetStringAsync("/openapi.json")).RootElement;

        Assert.Equal("/", Assert.Single(openApi.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString());
        var predict = openApi.GetProperty("paths").GetProperty("/api/v1/model/predict").GetProperty("post");
        var example = predict.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Contains("acting", example.GetProperty("reviews")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var version = openApi.GetProperty("paths").GetProperty("/api/v1/model/version").GetProperty("get");
        Assert.True(version.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _));
        Assert.Contains("model_uuid", version.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DocsPage_WorksOffline_NoWebFontsAgentOrTelemetry()
    {
        var html = await _http.GetStringAsync("/docs");

        // Every script and style the page loads is served by this server: no absolute URL at all.
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.Matches("\"withDefaultFonts\"\\s*:\\s*false", html);
        Assert.Matches("\"agent\"\\s*:\\s*\\{\\s*\"disabled\"\\s*:\\s*true", html);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' })]
    public async Task Predict_BodyNotUtf8OrWithALoneSurrogate_Is422JsonInvalid(byte[] insert)
    {
        var body = Encoding.UTF8.GetBytes("""{"reviews": [{"id": 1, "text": "good X film"}]}""").ToList();
        var at = body.IndexOf((byte)'X');
        body.RemoveAt(at);
        body.InsertRange(at, insert);
        using var content = new ByteArrayContent([.. body]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await _http.PostAsync("/api/v1/model/predict", content);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail")[0];

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("json_invalid", detail.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/v1/model/nothing", HttpStatusCode.NotFound)]
    [InlineData("GET", "/API/v1/model/version", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/model/predict", HttpStatusCode.MethodNotAllowed)]
    public async Task RoutingRefusals_HaveFastApisErrorShape(string method, string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await _http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").ValueKind);
    }

    [Fact]
    public async Task Predict_WrongContentType_Is415WithADetail()
    {
        using var content = new StringContent("""{"reviews": []}""", Encoding.UTF8, "text/plain");

        using var response = await _http.PostAsync("/api/v1/model/predict", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
