using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Data;

namespace Fathom.Monitoring;

/// <summary>
/// The training baseline a model folder keeps for drift checks (<c>monitoring_baseline.json</c>): the feature values
/// of held-out reviews scored by the model itself, so live traffic is compared with what the model saw at its best.
/// </summary>
internal sealed record MonitoringBaseline(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("reviews")] int Reviews,
    [property: JsonPropertyName("positive_rate")] double PositiveRate,
    [property: JsonPropertyName("scores")] IReadOnlyList<double> Scores,
    [property: JsonPropertyName("words")] IReadOnlyList<double> Words,
    [property: JsonPropertyName("oov_rates")] IReadOnlyList<double> OutOfVocabularyRates)
{
    public const string FileName = "monitoring_baseline.json";

    /// <summary>Reviews kept at most: enough for PSI deciles and a KS test to resolve a 3-point shift, small on disk.</summary>
    public const int MaxReviews = 5_000;

    public TrafficSample ToSample()
    {
        var sample = new TrafficSample();
        sample.Scores.AddRange(Scores);
        sample.Words.AddRange(Words);
        sample.OutOfVocabularyRates.AddRange(OutOfVocabularyRates);
        return sample;
    }

    public static MonitoringBaseline From(string source, TrafficSample sample) =>
        new(source, sample.Count, sample.PositiveRate, sample.Scores, sample.Words, sample.OutOfVocabularyRates);

    public void Write(string path) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, MonitoringJsonContext.Default.MonitoringBaseline));

    /// <exception cref="InvalidDataException">The file is not a baseline; the message names it.</exception>
    public static async Task<MonitoringBaseline> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        try
        {
            var baseline = await JsonSerializer.DeserializeAsync(stream, MonitoringJsonContext.Default.MonitoringBaseline, cancellationToken);
            return baseline is { Scores: not null, Words: not null, OutOfVocabularyRates: not null } && baseline.Scores.Count > 0
                ? baseline
                : throw new InvalidDataException($"{path}: not a monitoring baseline (no 'scores').");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a monitoring baseline: {e.Message}", e);
        }
    }
}
