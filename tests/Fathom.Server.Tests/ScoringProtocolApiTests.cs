using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>MLflow's scoring protocol on `fathom serve`, called as MLflow's clients call `mlflow models serve`.</summary>
public sealed class ScoringProtocolApiTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private const string Good = "A wonderful, moving film. Brilliant performances and a great story; I loved it.";
    private const string Bad = "This movie is quite boring. Terrible acting, awful plot, a waste of time.";

    private readonly HttpClient _http = fixture.Http;

    private async Task<(HttpStatusCode Status, string Body, string? MediaType)> InvokeAsync(string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await _http.PostAsync("/invocations", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private double Expected(string text) => Math.Round(fixture.Model.PredictProbability(text), 6);

    [Theory]
    [InlineData("""{"dataframe_split": {"columns": ["id", "text"], "data": [[1, "GOOD"], [2, "BAD"]]}}""")]
    [InlineData("""{"dataframe_split": {"index": [7, 8], "columns": ["text"], "data": [["GOOD"], ["BAD"]]}}""")]
    [InlineData("""{"dataframe_records": [{"text": "GOOD", "extra": 1}, {"text": "BAD"}]}""")]
    [InlineData("""{"instances": [{"text": "GOOD"}, {"text": "BAD"}]}""")]
    [InlineData("""{"instances": ["GOOD", "BAD"]}""")]
    [InlineData("""{"inputs": {"text": ["GOOD", "BAD"]}}""")]
    [InlineData("""{"inputs": ["GOOD", "BAD"], "params": {}}""")]
    public async Task Invocations_EachMlflowJsonForm_PredictsInInputOrder(string template)
    {
        var (status, body, mediaType) = await InvokeAsync(template.Replace("GOOD", Good, StringComparison.Ordinal).Replace("BAD", Bad, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", mediaType);
        var predictions = JsonDocument.Parse(body).RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(2, predictions.Count);
        Assert.Equal(Expected(Good), predictions[0].GetProperty("logit_prob").GetDouble(), 6);
        Assert.Equal("positive", predictions[0].GetProperty("sentiment").GetString());
        Assert.Equal(Expected(Bad), predictions[1].GetProperty("logit_prob").GetDouble(), 6);
        Assert.Equal("negative", predictions[1].GetProperty("sentiment").GetString());
    }

    [Fact]
    public async Task Invocations_ServedByTheLinearScorer_AnswerAsMlNetsEngine()
    {
        // The served model scores with the direct linear scorer; a copy loaded with ML.NET's engine is the reference.
        Assert.Equal("linear", fixture.Model.Engine);
        using var zip = new MemoryStream();
        fixture.Model.Save(zip);
        zip.Position = 0;
        using var reference = Sentiment.SentimentModel.Load(zip, Sentiment.SentimentScoring.MlNet);
        var texts = Reviews.ReviewReader.Read(RepositorySamples.Imdb, "test", _ => { }).Select(r => r.Text).Take(64).Append("").Append("zzqx").ToArray();

        var (status, body, _) = await InvokeAsync(JsonSerializer.Serialize(new { instances = texts }));

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = JsonDocument.Parse(body).RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(texts.Length, predictions.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            var expected = reference.PredictProbability(texts[i]);
            // Answers are rounded to 6 places: a 1e-7 difference may move the last place by one.
            Assert.InRange(predictions[i].GetProperty("logit_prob").GetDouble(), Math.Round(expected, 6) - 1.01e-6, Math.Round(expected, 6) + 1.01e-6);
            Assert.Equal(Sentiment.SentimentModel.SentimentOf(expected), predictions[i].GetProperty("sentiment").GetString());
        }
    }

    [Fact]
    public async Task Invocations_Csv_ReadsQuotedFieldsAcrossLines()
    {
        var csv = $"id,text\r\n1,\"{Good}\"\r\n2,\"She said \"\"no\"\",\nthen left. {Bad}\"\r\n";

        var (status, body, _) = await InvokeAsync(csv, "text/csv");

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = JsonDocument.Parse(body).RootElement.GetProperty("predictions");
        Assert.Equal(Expected(Good), predictions[0].GetProperty("logit_prob").GetDouble(), 6);
        Assert.Equal(Expected($"She said \"no\",\nthen left. {Bad}"), predictions[1].GetProperty("logit_prob").GetDouble(), 6);
    }

    [Theory]
    [InlineData("""[{"text": "x"}]""", "BAD_REQUEST", "Received a list")]
    [InlineData("""{"text": ["x"]}""", "BAD_REQUEST", "exactly one of the input fields")]
    [InlineData("""{"instances": ["x"], "inputs": ["y"]}""", "BAD_REQUEST", "'instances', 'inputs'")]
    [InlineData("""{"dataframe_split": {"columns": ["review"], "data": [["x"]]}}""", "INVALID_PARAMETER_VALUE", "missing inputs ['text']")]
    [InlineData("""{"dataframe_records": [{"text": "x"}, {"body": "y"}]}""", "INVALID_PARAMETER_VALUE", "dataframe_records[1] has no 'text'")]
    [InlineData("""{"dataframe_split": {"columns": ["text"], "data": [["x"], [5]]}}""", "INVALID_PARAMETER_VALUE", "dataframe_split.data[1][0] must be a string")]
    [InlineData("""{"inputs": {"text": ["x", null]}}""", "INVALID_PARAMETER_VALUE", "inputs.text[1] must be a string")]
    [InlineData("""{"dataframe_split": {"columns": ["text"], "data": [["x", "y"]]}}""", "BAD_REQUEST", "dataframe_split.data[0] must be a list of 1 values")]
    [InlineData("""{"inputs": ["x""", "BAD_REQUEST", "valid JSON")]
    public async Task Invocations_BadBody_Is400InMlflowsErrorShapeNamingTheField(string json, string code, string fragment)
    {
        var (status, body, _) = await InvokeAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, error.GetProperty("error_code").GetString());
        Assert.Contains(fragment, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invocations_OverTheServersLimits_AreRefusedNamingTheLimit()
    {
        var tooLong = await InvokeAsync(JsonSerializer.Serialize(new { instances = new[] { "fine", new string('a', 5_001) } }));
        var tooMany = await InvokeAsync(JsonSerializer.Serialize(new { instances = Enumerable.Repeat("fine", 101) }));

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.Status);
        Assert.Contains("instances[1] has 5001 characters; at most 5000", tooLong.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Contains("At most 100 rows", tooMany.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=latin-1")]
    [InlineData("application/json; format=pandas-split")]
    public async Task Invocations_UnsupportedContentType_Is415AsMlflowAnswersIt(string contentType)
    {
        var (status, body, mediaType) = await InvokeAsync("""{"instances": ["x"]}""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("text/plain", mediaType);
        Assert.False(string.IsNullOrWhiteSpace(body));
    }

    [Fact]
    public async Task Invocations_EmptyInput_PredictsNothing()
    {
        var (status, body, _) = await InvokeAsync("""{"instances": []}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[]}""", body);
    }

    [Fact]
    public async Task PingAndVersion_AnswerAsMlflowsScoringServer()
    {
        using var ping = await _http.GetAsync("/ping");
        var version = await _http.GetStringAsync("/version");

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
    }

    [Fact]
    public async Task OpenApi_DescribesInvocationsWithTheModelsSignatureAndInputExample()
    {
        var openApi = JsonDocument.Parse(await _http.GetStringAsync("/openapi.json")).RootElement;

        var invocations = openApi.GetProperty("paths").GetProperty("/invocations").GetProperty("post");
        var content = invocations.GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("text/csv", out _));
        var example = content.GetProperty("application/json").GetProperty("example");
        Assert.Equal("An example review kept with the model.", example.GetProperty("dataframe_split").GetProperty("data")[0][0].GetString());
        Assert.Contains(ServingFixture.ModelUuid, invocations.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"name\": \"text\"", invocations.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/ping", out _));
    }
}
