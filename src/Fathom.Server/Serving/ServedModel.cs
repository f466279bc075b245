using Fathom.Sentiment;

namespace Fathom.Serving;

/// <summary>The model being served, loaded once and shared by all requests (scoring is thread-safe).</summary>
internal sealed record ServedModel(SentimentModel Model, string ModelUuid);
