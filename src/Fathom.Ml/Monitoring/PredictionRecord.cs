using System.Text.Json.Serialization;

namespace Fathom.Monitoring;

/// <summary>
/// One line of a prediction log: when, what the model answered, and the summary features of the review (never the
/// text itself, which may hold personal data and would make the log as large as the traffic).
/// </summary>
internal sealed record PredictionRecord(
    [property: JsonPropertyName("time")] long TimeMs,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("words")] int Words,
    [property: JsonPropertyName("oov_rate")] double? OutOfVocabularyRate,
    [property: JsonPropertyName("model")] string Model);

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(MonitoringBaseline))]
[JsonSerializable(typeof(PredictionRecord))]
[JsonSerializable(typeof(DriftReport))]
internal sealed partial class MonitoringJsonContext : JsonSerializerContext;
