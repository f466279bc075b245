using System.Text.Json.Serialization;

namespace Fathom.Serving;

/// <summary>One review to score.</summary>
internal sealed record ReviewInput(long Id, string Text);

/// <summary>One scored review, in the reference template's field names.</summary>
internal sealed record ReviewPrediction(
    [property: JsonPropertyName("review_id")] long ReviewId,
    [property: JsonPropertyName("sentiment")] string Sentiment,
    [property: JsonPropertyName("logit_prob")] double LogitProb);

/// <summary>The predict response: <c>{"data": [...]}</c>.</summary>
internal sealed record PredictResponse([property: JsonPropertyName("data")] IReadOnlyList<ReviewPrediction> Data);

/// <summary>The version response: <c>{"data": {"model_uuid": "..."}}</c>.</summary>
internal sealed record VersionResponse([property: JsonPropertyName("data")] VersionData Data);

/// <summary>The served model's id.</summary>
internal sealed record VersionData([property: JsonPropertyName("model_uuid")] string ModelUuid);

/// <summary>Health: the process is up and the model is loaded.</summary>
internal sealed record HealthResponse([property: JsonPropertyName("status")] string Status, [property: JsonPropertyName("model_uuid")] string ModelUuid);

/// <summary>
/// A request validation error in FastAPI's shape (the reference template serves with FastAPI, so its clients
/// read <c>detail[].loc</c> to find the bad field): HTTP 422.
/// </summary>
internal sealed record ValidationProblem([property: JsonPropertyName("detail")] IReadOnlyList<ValidationDetail> Detail);

/// <summary>One invalid field: where (<c>["body", "reviews", 0, "text"]</c>), what, and an error type.</summary>
internal sealed record ValidationDetail(
    [property: JsonPropertyName("loc")] IReadOnlyList<object> Loc,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("type")] string Type);

/// <summary>An error that is not about one field, in FastAPI's shape: <c>{"detail": "Not Found"}</c>.</summary>
internal sealed record ErrorDetail([property: JsonPropertyName("detail")] string Detail);

[JsonSerializable(typeof(ErrorDetail))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ValidationProblem))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
internal sealed partial class ServingJsonContext : JsonSerializerContext;
