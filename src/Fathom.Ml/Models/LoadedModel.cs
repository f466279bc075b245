using Fathom.Sentiment;

namespace Fathom.Models;

/// <summary>A model folder loaded for scoring: the model (owned by the caller, dispose it) and its manifest.</summary>
internal sealed record LoadedModel(SentimentModel Model, ModelManifest Manifest);
