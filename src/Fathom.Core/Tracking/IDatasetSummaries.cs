namespace Fathom.Tracking;

/// <summary>A store that answers MLflow's SearchDatasets with one query over its dataset and input tables.</summary>
internal interface IDatasetSummaries
{
    /// <summary>
    /// The distinct (experiment, name, digest, context) of the data sets the experiments' runs used (deleted runs
    /// included, as in MLflow's SQL store), the most recently used first, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<long> experimentIds, int limit, CancellationToken cancellationToken);
}
