using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Fathom.Server.Tests;

/// <summary>`fathom serve`'s Prometheus metrics, scraped over HTTP after real traffic.</summary>
public sealed partial class ServingMetricsTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task Metrics_AfterTraffic_CountRequestsErrorsLatencyBatchesAndTheModel()
    {
        var before = await ScrapeAsync();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await PostAsync("""{"instances": ["a fine film", "a dull film"]}""");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var bad = await PostAsync("""{"nothing": []}""");
        using var predict = await _http.PostAsync("/api/v1/model/predict", new StringContent("""{"reviews": [{"id": 1, "text": "great"}]}""", Encoding.UTF8, "application/json"));
        using var missing = await _http.GetAsync("/no/such/route");

        var after = await ScrapeAsync();

        Assert.Equal(3, Value(after, """fathom_serving_requests_total{route="/invocations",method="POST",status="200"}""") - Value(before, """fathom_serving_requests_total{route="/invocations",method="POST",status="200"}"""));
        Assert.Equal(1, Value(after, """fathom_serving_requests_total{route="/invocations",method="POST",status="400"}""") - Value(before, """fathom_serving_requests_total{route="/invocations",method="POST",status="400"}"""));
        Assert.Equal(1, Value(after, """fathom_serving_request_errors_total{route="/invocations",kind="client"}""") - Value(before, """fathom_serving_request_errors_total{route="/invocations",kind="client"}"""));
        Assert.Equal(1, Value(after, """fathom_serving_requests_total{route="unmatched",method="GET",status="404"}""") - Value(before, """fathom_serving_requests_total{route="unmatched",method="GET",status="404"}"""));
        Assert.Equal(1, Value(after, """fathom_serving_requests_total{route="/api/v1/model/predict",method="POST",status="200"}""") - Value(before, """fathom_serving_requests_total{route="/api/v1/model/predict",method="POST",status="200"}"""));
        Assert.Equal(4, Value(after, """fathom_serving_request_duration_seconds_count{route="/invocations"}""") - Value(before, """fathom_serving_request_duration_seconds_count{route="/invocations"}"""));
        Assert.Equal(7, Value(after, "fathom_serving_reviews_scored_total") - Value(before, "fathom_serving_reviews_scored_total"));
        Assert.Equal(4, Value(after, """fathom_serving_batch_size_bucket{le="2"}""") - Value(before, """fathom_serving_batch_size_bucket{le="2"}"""));
        Assert.Equal(1, Value(after, $$"""fathom_serving_model_info{model_uuid="{{ServingFixture.ModelUuid}}",mlnet_version="""));
    }

    [Fact]
    public async Task Metrics_IsPrometheusTextFormat()
    {
        using var response = await _http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        Assert.Contains("# TYPE fathom_serving_request_duration_seconds histogram", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PostAsync(string json) =>
        _http.PostAsync("/invocations", new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<string> ScrapeAsync() => _http.GetStringAsync("/metrics");

    // The sample whose name and labels start with the given text; 0 when the series has not appeared yet.
    private static double Value(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal) && SampleValue().Match(line) is { Success: true } match)
            {
                return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    [GeneratedRegex(@" ([0-9.eE+-]+)$")]
    private static partial Regex SampleValue();
}
