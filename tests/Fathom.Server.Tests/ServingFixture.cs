using Fathom.Reviews;
using Fathom.Sentiment;
using Fathom.Serving;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Server.Tests;

/// <summary>Trains a model on the bundled sample once and serves it on a free loopback port for the test class.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public const string ModelUuid = "0123456789abcdef0123456789abcdef";

    /// <summary>The served model folder's input example (a pandas split frame), as <c>fathom train</c> saves one.</summary>
    public const string InputExample = """{"columns": ["text"], "data": [["An example review kept with the model."]]}""";

    private WebApplication? _app;

    internal SentimentModel Model { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var reviews = ReviewReader.Read(RepositorySamples.Imdb, "train", _ => { }).ToList();
        var result = await new SentimentTrainer().TrainAsync(reviews, null, new SentimentTrainingOptions(), null, CancellationToken.None);
        Model = result.Model;
        _app = ServingHost.Build(new ServedModel(Model, ModelUuid, InputExample), new ServingOptions { Port = 0, MaxReviewLength = 5_000, MaxReviewsPerRequest = 100 });
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Model.Dispose();
    }
}
