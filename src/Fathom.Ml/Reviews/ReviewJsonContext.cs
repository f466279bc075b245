using System.Text.Json.Serialization;

namespace Fathom.Reviews;

/// <summary>Source-generated JSON metadata, so reading 25,000 lines costs no reflection.</summary>
[JsonSerializable(typeof(ReviewJsonLine))]
internal sealed partial class ReviewJsonContext : JsonSerializerContext;
