using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>The parameters of one log-batch request, in the store's input shape.</summary>
internal sealed record LogBatch(string RunId, IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags);
