using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>The parameters of one log-batch request, in the store's input shape.</summary>
internal sealed record LogBatch(string RunId, IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags)
{
    /// <summary>The batch's metrics that name a logged model (MLflow 3's <c>model_id</c> on a metric), linked to it.</summary>
    public IReadOnlyList<LoggedModelMetric> ModelMetrics { get; init; } = [];
}
