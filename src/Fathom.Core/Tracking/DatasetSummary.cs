namespace Fathom.Tracking;

/// <summary>
/// One entry of MLflow's SearchDatasets (the UI's data-set dropdown): a data set some run of the experiment used, with
/// the run's <c>mlflow.data.context</c> input tag when it had one.
/// </summary>
internal sealed record DatasetSummary(string ExperimentId, string Name, string Digest, string? Context);
