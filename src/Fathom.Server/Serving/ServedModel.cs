using Fathom.Sentiment;

namespace Fathom.Serving;

/// <summary>The model being served, loaded once and shared by all requests (scoring is thread-safe).</summary>
/// <param name="Model">The loaded model.</param>
/// <param name="ModelUuid">The id reported by the version routes and the <c>model_info</c> metric.</param>
/// <param name="InputExample">The model folder's <c>input_example.json</c> (a pandas "split" frame), or null; the OpenAPI document shows it.</param>
/// <param name="Folder">The model folder, where the monitoring baseline and vocabulary are, or null.</param>
internal sealed record ServedModel(SentimentModel Model, string ModelUuid, string? InputExample = null, string? Folder = null);
