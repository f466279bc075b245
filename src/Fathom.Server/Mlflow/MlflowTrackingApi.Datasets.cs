using System.Globalization;
using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    // MLflow's limits for the UI's dataset dropdown (SearchDatasets, an ajax-only RPC in MLflow).
    private const int MaxDatasetExperiments = 20;
    private const int MaxDatasetSummaries = 1000;

    // The distinct (experiment, name, digest, context) of every data set the experiments' runs used, deleted runs
    // included, as MLflow's SQL store answers it: one query over the datasets and inputs tables, capped as MLflow caps it.
    private static async Task SearchDatasetsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var experimentIds = MlflowResources.ExperimentIds(request);
        if (experimentIds.Count == 0)
        {
            throw TrackingException.Invalid("SearchDatasets request must specify at least one experiment_id.");
        }

        if (experimentIds.Count > MaxDatasetExperiments)
        {
            throw TrackingException.Invalid(
                $"SearchDatasets request cannot specify more than {MaxDatasetExperiments} experiment_ids. Received {experimentIds.Count} experiment_ids.");
        }

        var store = state.Store as IDatasetSummaries
            ?? throw new TrackingException(ErrorCode.InternalError, $"The tracking store {state.Store.GetType().Name} cannot search data sets; serve a SQLite or PostgreSQL store.");
        // An id that is not a number names no experiment (as in a run search).
        var ids = experimentIds
            .Select(e => long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .ToList();
        IReadOnlyList<DatasetSummary> summaries = ids.Count == 0 ? [] : await store.SearchDatasetsAsync(ids, MaxDatasetSummaries, cancellationToken);

        writer.WriteStartObject();
        if (summaries.Count > 0)
        {
            writer.WriteStartArray("dataset_summaries");
            foreach (var (experimentId, name, digest, context) in summaries)
            {
                writer.WriteStartObject();
                writer.WriteString("experiment_id", experimentId);
                writer.WriteString("name", name);
                writer.WriteString("digest", digest);
                if (context is not null)
                {
                    writer.WriteString("context", context);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
