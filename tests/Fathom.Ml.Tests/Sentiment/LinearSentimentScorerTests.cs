using System.Text;
using Fathom.Reviews;
using Fathom.Testing;

namespace Fathom.Sentiment;

/// <summary>
/// The direct linear scorer against ML.NET's own engine on the same saved model: trained on the bundled IMDB
/// sample's training reviews, compared on its held-out test reviews, the training reviews, and edge cases.
/// </summary>
public sealed class LinearSentimentScorerTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData("lbfgs", 2)]
    [InlineData("sdca", 2)]
    [InlineData("lbfgs", 1)]
    [InlineData("lbfgs", 3)]
    public async Task PredictProbability_SampleModel_EqualsMlNetOnHeldOutAndEdgeCases(string trainer, int ngramLength)
    {
        var options = new SentimentTrainingOptions { Trainer = Enum.Parse<SentimentTrainerKind>(trainer, ignoreCase: true), NgramLength = ngramLength };
        var (fast, reference) = await TrainAndLoadBothAsync(options);
        using (fast)
        using (reference)
        {
            Assert.Equal("linear", fast.Engine);
            Assert.Null(fast.FallbackReason);
            Assert.Equal("ML.NET", reference.Engine);

            var texts = Texts(RepositorySamples.Imdb, "test").Concat(Texts(RepositorySamples.Imdb, "train")).Concat(EdgeCases()).ToArray();
            Assert.True(texts.Length > 1_000, $"only {texts.Length} texts");
            var expected = new float[texts.Length];
            var actual = new float[texts.Length];
            reference.PredictProbabilities(texts, expected);
            fast.PredictProbabilities(texts, actual);

            var worst = Enumerable.Range(0, texts.Length).MaxBy(i => Math.Abs(expected[i] - actual[i]));
            Assert.True(Math.Abs(expected[worst] - actual[worst]) <= Tolerance,
                $"text {worst} ({texts[worst].Length} chars): ML.NET {expected[worst]}, linear {actual[worst]}");
            // The scores are not all one value (SDCA on 1,000 reviews stays near 0.5, so no fixed band is asked for).
            Assert.True(actual.Max() - actual.Min() > 0.005, $"scores span only {actual.Min()}..{actual.Max()}");
            Assert.Equal(expected.Select(SentimentModel.SentimentOf), actual.Select(SentimentModel.SentimentOf));
        }
    }

    [Fact]
    public async Task Load_ModelOfUnreadShape_FallsBackToMlNetAndSaysWhy()
    {
        var (fast, reference) = await TrainAndLoadBothAsync(new SentimentTrainingOptions { NgramLength = 4 });
        using (fast)
        using (reference)
        {
            Assert.Equal("ML.NET", fast.Engine);
            Assert.Contains("n-grams of length 4", fast.FallbackReason, StringComparison.Ordinal);
            var texts = Texts(RepositorySamples.Imdb, "test").Take(50).ToArray();
            Assert.Equal(texts.Select(reference.PredictProbability), texts.Select(fast.PredictProbability));
        }
    }

    [Fact]
    public async Task PredictProbability_ConcurrentCallers_GiveTheSequentialResults()
    {
        var (fast, reference) = await TrainAndLoadBothAsync(new SentimentTrainingOptions());
        using (fast)
        using (reference)
        {
            var texts = Texts(RepositorySamples.Imdb, "test").Concat(EdgeCases()).ToArray();
            var expected = texts.Select(fast.PredictProbability).ToArray();
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => texts.Select(fast.PredictProbability).ToArray())));
            Assert.All(results, r => Assert.Equal(expected, r));
        }
    }

    private static async Task<(SentimentModel Fast, SentimentModel Reference)> TrainAndLoadBothAsync(SentimentTrainingOptions options)
    {
        var train = ReviewFolderReader.Read(Path.Combine(RepositorySamples.Imdb, "train"), "train", e => throw new InvalidDataException(e.Reason)).ToList();
        var result = await new SentimentTrainer().TrainAsync(train, null, options, null, CancellationToken.None);
        using var trained = result.Model;
        using var zip = new MemoryStream();
        trained.Save(zip);
        zip.Position = 0;
        var fast = SentimentModel.Load(zip);
        zip.Position = 0;
        return (fast, SentimentModel.Load(zip, SentimentScoring.MlNet));
    }

    private static IEnumerable<string> Texts(string imdb, string split) =>
        ReviewFolderReader.Read(Path.Combine(imdb, split), split, e => throw new InvalidDataException(e.Reason)).Select(r => r.Text);

    private static IEnumerable<string> EdgeCases()
    {
        var sample = Texts(RepositorySamples.Imdb, "test").Take(300).ToList();
        yield return "";
        yield return " ";
        yield return "\t\n\r  \u00a0\u2003";
        yield return "!!!???...,,,";
        yield return "<br /><br /><i></i>";
        yield return "qwzx vbnmq plokij zzzzzzzz xylophonic";       // unknown words only
        yield return "a b c d e";                                    // isolated letters only: all cleaned away
        yield return "good";
        yield return "not good";
        yield return "bad bad bad bad bad bad bad bad bad bad";     // one n-gram many times (TF > 1)
        yield return "The movie was GREAT!!! <br />Loved it.";
        yield return "Très bien, naïve café — “quoted” ‘single’ … 日本語のレビュー 🎬🍿 İstanbul ß ﬁ";
        yield return "\ud83d\ude00 \ud83d good \udc00 bad";         // lone surrogates
        yield return "Zero\u200bwidth and combining e\u0301 accents";
        yield return string.Join(" ", sample);                       // very long: a few hundred reviews
        yield return string.Concat(Enumerable.Repeat("great terrible ", 20_000));
        yield return new string('x', 100_000);
        var builder = new StringBuilder();
        for (var i = 0; i < sample.Count; i++)
        {
            builder.Append(sample[i].AsSpan(0, Math.Min(40, sample[i].Length)));
            builder.Append(i % 3 == 0 ? "<p>" : "\n");
        }

        yield return builder.ToString();
    }
}
