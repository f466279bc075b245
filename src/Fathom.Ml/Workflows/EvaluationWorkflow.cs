using System.Globalization;
using Fathom.Reviews;
using Fathom.Sentiment;

namespace Fathom.Workflows;

/// <summary>
/// <c>fathom evaluate</c>: scores labelled reviews with a model folder and writes the metrics as a JSON file — the
/// metrics file a pipeline's evaluate stage declares (keys sorted, so an unchanged result is byte-identical).
/// </summary>
internal static class EvaluationWorkflow
{
    public static SortedDictionary<string, double> Evaluate(SentimentModel model, IReadOnlyList<Review> reviews)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reviews);
        var labelled = reviews.Where(r => r.Label is not null).ToList();
        if (labelled.Count == 0)
        {
            throw new InvalidDataException("No labelled reviews to evaluate: give a folder with pos/ and neg/ sub-folders.");
        }

        var probabilities = new float[labelled.Count];
        model.PredictProbabilities(labelled.Select(r => r.Text).ToArray(), probabilities);
        int tp = 0, tn = 0, fp = 0, fn = 0;
        double logLoss = 0;
        for (var i = 0; i < labelled.Count; i++)
        {
            var positive = labelled[i].Label == ReviewLabel.Positive;
            var p = Math.Clamp(probabilities[i], 1e-15, 1 - 1e-15);
            logLoss -= positive ? Math.Log2(p) : Math.Log2(1 - p);
            var predicted = probabilities[i] > 0.5f;
            (tp, tn, fp, fn) = (predicted, positive) switch
            {
                (true, true) => (tp + 1, tn, fp, fn),
                (false, false) => (tp, tn + 1, fp, fn),
                (true, false) => (tp, tn, fp + 1, fn),
                _ => (tp, tn, fp, fn + 1),
            };
        }

        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["accuracy"] = Math.Round((double)(tp + tn) / labelled.Count, 6),
            ["precision"] = Math.Round(precision, 6),
            ["recall"] = Math.Round(recall, 6),
            ["f1"] = Math.Round(precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), 6),
            // ML.NET's log-loss is in bits; so is this, so the two can be compared.
            ["log_loss"] = Math.Round(logLoss / labelled.Count, 6),
            ["n"] = labelled.Count,
        };
    }

    /// <summary>Writes <c>{"accuracy": …, …}</c> through a temporary file and a rename.</summary>
    public static void WriteJson(IReadOnlyDictionary<string, double> metrics, string path)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var json = "{\n" + string.Join(",\n", metrics.Select(m => $"  \"{m.Key}\": {m.Value.ToString("R", CultureInfo.InvariantCulture)}")) + "\n}\n";
        Data.AtomicFile.WriteAllText(full, json);
    }
}
