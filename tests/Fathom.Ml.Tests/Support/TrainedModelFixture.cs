using Fathom.Reviews;
using Fathom.Sentiment;

namespace Fathom.Support;

/// <summary>One model trained on synthetic reviews, shared by the tests that only need some trained model.</summary>
public sealed class TrainedModelFixture : IAsyncLifetime
{
    internal List<Review> Train { get; } = SyntheticReviews.Generate(400, seed: 11);

    internal List<Review> Test { get; } = SyntheticReviews.Generate(100, seed: 12, split: "test");

    internal SentimentTrainingResult Result { get; private set; } = null!;

    internal SentimentModel Model => Result.Model;

    public async Task InitializeAsync() =>
        Result = await new SentimentTrainer().TrainAsync(Train, Test, new SentimentTrainingOptions(), null, CancellationToken.None);

    public Task DisposeAsync()
    {
        Result.Model.Dispose();
        return Task.CompletedTask;
    }
}
