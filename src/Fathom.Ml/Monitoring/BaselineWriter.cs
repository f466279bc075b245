using Fathom.Reviews;
using Fathom.Sentiment;

namespace Fathom.Monitoring;

/// <summary>
/// Saves what the monitor compares traffic with into a new model folder: the training vocabulary, and the features
/// of up to <see cref="MonitoringBaseline.MaxReviews"/> held-out reviews (the test set when there is one, else the
/// training reviews) scored by the model being saved.
/// </summary>
internal static class BaselineWriter
{
    public static void Write(SentimentModel model, string modelFolder, IReadOnlyList<Review> train, IReadOnlyList<Review>? test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        var vocabulary = TrainingVocabulary.FromCleanTexts(train.Select(r => ReviewCleaner.Clean(r.Text)));
        var (source, reviews) = test is { Count: > 0 } ? ("test", test) : ("train", train);
        // An even spread over the set rather than its first reviews: readers return files in folder order (neg then pos).
        var step = Math.Max(1, reviews.Count / MonitoringBaseline.MaxReviews);
        var texts = Enumerable.Range(0, Math.Min(reviews.Count, MonitoringBaseline.MaxReviews)).Select(i => reviews[i * step].Text).ToArray();
        var scores = new float[texts.Length];
        model.PredictProbabilities(texts, scores);
        var sample = new TrafficSample();
        for (var i = 0; i < texts.Length; i++)
        {
            sample.Add(scores[i], ReviewTraits.Of(texts[i], vocabulary));
        }

        vocabulary.Write(Path.Combine(modelFolder, TrainingVocabulary.FileName));
        MonitoringBaseline.From(source, sample).Write(Path.Combine(modelFolder, MonitoringBaseline.FileName));
    }
}
