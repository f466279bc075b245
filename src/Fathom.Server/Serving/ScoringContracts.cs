using System.Text.Json.Serialization;

namespace Fathom.Serving;

/// <summary>
/// An <c>/invocations</c> refusal in MLflow's scoring-server shape, <c>{"error_code": "BAD_REQUEST", "message": "…"}</c>,
/// answered with HTTP 400 as MLflow's <c>catch_mlflow_exception</c> does for both codes used here.
/// </summary>
internal sealed record ScoringError(
    [property: JsonPropertyName("error_code")] string ErrorCode,
    [property: JsonPropertyName("message")] string Message)
{
    /// <summary>The body does not follow the protocol (not an object, no or several input fields).</summary>
    public static ScoringError BadRequest(string message) => new("BAD_REQUEST", message);

    /// <summary>The body follows the protocol but its data does not fit the model's signature or the server's limits.</summary>
    public static ScoringError InvalidValue(string message) => new("INVALID_PARAMETER_VALUE", message);
}

/// <summary>One row of the model's output, in its signature's column names.</summary>
internal sealed record ScoringPrediction(
    [property: JsonPropertyName("logit_prob")] double LogitProb,
    [property: JsonPropertyName("sentiment")] string Sentiment);

/// <summary>MLflow pyfunc serving's answer: a data frame output as records under <c>predictions</c>.</summary>
internal sealed record ScoringResponse([property: JsonPropertyName("predictions")] IReadOnlyList<ScoringPrediction> Predictions);

[JsonSerializable(typeof(ScoringError))]
[JsonSerializable(typeof(ScoringResponse))]
internal sealed partial class ScoringJsonContext : JsonSerializerContext;
