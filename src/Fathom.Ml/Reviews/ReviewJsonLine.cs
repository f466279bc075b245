using System.Text.Json.Serialization;

namespace Fathom.Reviews;

/// <summary>One line of the data set's <c>*.jsonl.gz</c> files: <c>{"id", "rating", "label", "text"}</c>.</summary>
internal sealed record ReviewJsonLine(
    [property: JsonPropertyName("id")] int? Id,
    [property: JsonPropertyName("rating")] int? Rating,
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("text")] string? Text);
