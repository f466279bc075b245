using Fathom.Reviews;
using Fathom.Support;

namespace Fathom.Sentiment;

[Collection(TrainedModelGroup.Name)]
public sealed class SentimentTrainerTests(TrainedModelFixture fixture)
{
    [Fact]
    public void TrainAsync_SyntheticReviews_LearnsTheSentimentAndReportsAllMetrics()
    {
        var result = fixture.Result;

        Assert.Equal(
            ["test_accuracy", "test_f1", "test_log_loss", "test_roc_auc", "val_accuracy", "val_f1", "val_log_loss", "val_roc_auc"],
            result.Metrics.Keys);
        Assert.Equal((360, 40, 100, 0), (result.TrainCount, result.ValidationCount, result.TestCount, result.UnlabeledCount));
        Assert.InRange(result.Metrics["test_accuracy"], 0.85, 1.0);
        Assert.InRange(result.Metrics["test_roc_auc"], 0.9, 1.0);
        Assert.True(result.FitDuration > TimeSpan.Zero);
    }

    [Fact]
    public void Model_RawReviewWithStrongWords_ScoresByItsSentiment()
    {
        var positive = fixture.Model.PredictProbability("A <b>wonderful</b>, brilliant and moving film: the BEST!<br /><br />Loved it.");
        var negative = fixture.Model.PredictProbability("Awful. Boring, terrible plot; the worst waste of time - a horrible mess.");

        Assert.Equal(SentimentModel.Positive, SentimentModel.SentimentOf(positive));
        Assert.Equal(SentimentModel.Negative, SentimentModel.SentimentOf(negative));
    }

    [Fact]
    public async Task TrainAsync_SameSeedTwice_GivesIdenticalMetricsAndPredictions()
    {
        var train = SyntheticReviews.Generate(300, seed: 21);
        var test = SyntheticReviews.Generate(60, seed: 22, split: "test");
        var options = new SentimentTrainingOptions { Seed = 7 };

        var first = await new SentimentTrainer().TrainAsync(train, test, options, null, CancellationToken.None);
        var second = await new SentimentTrainer().TrainAsync(train, test, options, null, CancellationToken.None);
        using var firstModel = first.Model;
        using var secondModel = second.Model;

        Assert.Equal(first.Metrics, second.Metrics);
        var texts = test.Select(r => r.Text).ToArray();
        var firstProbabilities = new float[texts.Length];
        var secondProbabilities = new float[texts.Length];
        firstModel.PredictProbabilities(texts, firstProbabilities);
        secondModel.PredictProbabilities(texts, secondProbabilities);
        Assert.Equal(firstProbabilities, secondProbabilities);
    }

    [Theory]
    [InlineData(true, "training", "positive")]
    [InlineData(false, "test", "negative")]
    public async Task TrainAsync_OneClassData_SaysWhichDataHoldsOnlyOneClass(bool positive, string role, string word)
    {
        var only = positive ? ReviewLabel.Positive : ReviewLabel.Negative;
        var train = SyntheticReviews.Generate(120, seed: 41);
        var test = SyntheticReviews.Generate(40, seed: 42, split: "test");
        if (role == "training")
        {
            train = [.. train.Select(r => r with { Label = only })];
        }
        else
        {
            test = [.. test.Select(r => r with { Label = only })];
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new SentimentTrainer().TrainAsync(train, test, new SentimentTrainingOptions(), null, CancellationToken.None));

        Assert.StartsWith($"The {role} data holds only {word} reviews", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sample", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainAsync_SdcaWithoutValidationAndWithUnlabeledReviews_TrainsOnAllLabeled()
    {
        var train = SyntheticReviews.Generate(200, seed: 31);
        train.Add(train[0] with { Label = null });
        var messages = new List<string>();
        var options = new SentimentTrainingOptions().Apply([("trainer", "sdca"), ("validation_fraction", "0")]);

        var result = await new SentimentTrainer().TrainAsync(train, null, options, new SyncProgress<string>(messages.Add), CancellationToken.None);
        using var model = result.Model;

        Assert.Equal((200, 0, 0, 1), (result.TrainCount, result.ValidationCount, result.TestCount, result.UnlabeledCount));
        Assert.Empty(result.Metrics);
        Assert.Equal("Done", messages[^1]);
    }

    [Fact]
    public async Task TrainAsync_CancelledBeforeStart_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new SentimentTrainer().TrainAsync(SyntheticReviews.Generate(50, 1), null, new SentimentTrainingOptions(), null, cancelled.Token));
    }

    [Fact]
    public async Task TrainAsync_NoLabeledReviews_ThrowsArgumentException()
    {
        var unlabeled = SyntheticReviews.Generate(10, 1).Select(r => r with { Label = null }).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            new SentimentTrainer().TrainAsync(unlabeled, null, new SentimentTrainingOptions(), null, CancellationToken.None));
    }
}
