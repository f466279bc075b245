using System.Net;
using System.Text;
using System.Text.Json;
using Fathom.Serving;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Server.Tests;

/// <summary>Concurrent 1-review requests on a host with micro-batching on: scored together, each answered with its own review's score.</summary>
public sealed class MicroBatchingTests(ServingFixture fixture) : IClassFixture<ServingFixture>, IAsyncLifetime
{
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        // A long wait, so that concurrent requests surely meet in one batch even on a loaded machine.
        _app = ServingHost.Build(new ServedModel(fixture.Model, ServingFixture.ModelUuid),
            new ServingOptions { Port = 0, MicroBatch = true, MicroBatchWait = TimeSpan.FromMilliseconds(100), MicroBatchMaxReviews = 64 });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task ConcurrentSingleReviewRequests_AreBatchedAndEachGetsItsOwnScore()
    {
        using var http = Client();
        var texts = Enumerable.Range(0, 24).Select(i => $"review {i}: {(i % 3 == 0 ? "a wonderful, moving film" : i % 3 == 1 ? "dull, boring and far too long" : "fine, I suppose")} {new string('!', i)}").ToArray();

        var answers = await Task.WhenAll(texts.Select(async text =>
        {
            using var content = new StringContent(JsonSerializer.Serialize(new { instances = new[] { text } }), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/invocations", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions")[0].GetProperty("logit_prob").GetDouble();
        }));
        var metrics = await http.GetStringAsync("/metrics");

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(Math.Round(fixture.Model.PredictProbability(texts[i]), 6), answers[i], 6);
        }

        Assert.Equal(24, Sample(metrics, "fathom_serving_batch_size_sum"));
        Assert.InRange(Sample(metrics, "fathom_serving_batch_size_count"), 1, 23);
    }

    [Fact]
    public async Task LargeRequest_IsScoredAlongsideTheBatchedPath()
    {
        using var http = Client();
        var reviews = Enumerable.Range(0, 80).Select(i => new { id = i, text = $"great film number {i}" });
        using var content = new StringContent(JsonSerializer.Serialize(new { reviews }), Encoding.UTF8, "application/json");

        using var response = await http.PostAsync("/api/v1/model/predict", content);
        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(80, data.GetArrayLength());
        Assert.Equal(Math.Round(fixture.Model.PredictProbability("great film number 79"), 6), data[79].GetProperty("logit_prob").GetDouble(), 6);
    }

    private HttpClient Client() => new() { BaseAddress = new Uri(_app!.Urls.First()) };

    private static double Sample(string exposition, string name) =>
        double.Parse(exposition.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}
