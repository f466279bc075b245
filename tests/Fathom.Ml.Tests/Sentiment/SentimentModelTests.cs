using Fathom.Support;

namespace Fathom.Sentiment;

[Collection(TrainedModelGroup.Name)]
public sealed class SentimentModelTests(TrainedModelFixture fixture)
{
    [Fact]
    public async Task PredictProbabilities_ManyConcurrentCallers_GiveTheSequentialResults()
    {
        var texts = fixture.Test.Select(r => r.Text).ToArray();
        var expected = texts.Select(fixture.Model.PredictProbability).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(caller => Task.Run(() =>
        {
            var probabilities = new float[texts.Length];
            for (var start = 0; start < texts.Length; start += 32)
            {
                var count = Math.Min(32, texts.Length - start);
                fixture.Model.PredictProbabilities(texts.AsSpan(start, count), probabilities.AsSpan(start, count));
            }

            return probabilities;
        })));

        Assert.All(results, probabilities => Assert.Equal(expected, probabilities));
    }

    [Fact]
    public void PredictProbabilities_OutputTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => fixture.Model.PredictProbabilities(new[] { "a", "b" }, new float[1]));
    }

    [Theory]
    [InlineData(0.5f, "negative")]
    [InlineData(0.5001f, "positive")]
    [InlineData(0.0063f, "negative")]
    public void SentimentOf_Probability_IsPositiveOnlyAboveOneHalf(float probability, string expected)
    {
        Assert.Equal(expected, SentimentModel.SentimentOf(probability));
    }

    [Fact]
    public void Save_ThenLoad_ScoresIdentically()
    {
        using var stream = new MemoryStream();
        fixture.Model.Save(stream);
        stream.Position = 0;

        using var loaded = SentimentModel.Load(stream);

        var texts = fixture.Test.Select(r => r.Text).Append("").Append("<br />").ToArray();
        Assert.Equal(texts.Select(fixture.Model.PredictProbability), texts.Select(loaded.PredictProbability));
    }

    [Fact]
    public void PredictProbability_AfterDispose_Throws()
    {
        using var stream = new MemoryStream();
        fixture.Model.Save(stream);
        stream.Position = 0;
        var loaded = SentimentModel.Load(stream);

        loaded.Dispose();

        Assert.Throws<ObjectDisposedException>(() => loaded.PredictProbability("good"));
    }
}
