using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    // MLflow's limits for the UI's dataset dropdown (SearchDatasets, an ajax-only RPC in MLflow).
    private const int MaxDatasetExperiments = 20;
    private const int MaxDatasetSummaries = 1000;
    private const string DatasetContextTag = "mlflow.data.context";

    // The distinct (experiment, name, digest, context) of every data set the experiments' runs used, deleted
    // runs included, as MLflow's SQL store answers it. Read through run searches (the store has no dedicated
    // query), a page at a time, stopping at MLflow's cap.
    private static async Task SearchDatasetsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var experimentIds = request.StringList("experiment_ids");
        if (experimentIds.Count == 0)
        {
            throw TrackingException.Invalid("SearchDatasets request must specify at least one experiment_id.");
        }

        if (experimentIds.Count > MaxDatasetExperiments)
        {
            throw TrackingException.Invalid(
                $"SearchDatasets request cannot specify more than {MaxDatasetExperiments} experiment_ids. Received {experimentIds.Count} experiment_ids.");
        }

        var seen = new HashSet<(string, string, string, string?)>();
        var summaries = new List<(string ExperimentId, string Name, string Digest, string? Context)>();
        string? token = null;
        do
        {
            var page = await state.Store.SearchRunsAsync(new RunSearch(experimentIds, ViewType.All, 1000, token, null, []), cancellationToken);
            foreach (var run in page.Runs)
            {
                foreach (var input in run.Inputs)
                {
                    var context = input.Tags.FirstOrDefault(t => t.Key == DatasetContextTag)?.Value;
                    var summary = (run.Info.ExperimentId, input.Dataset.Name, input.Dataset.Digest, context);
                    if (summaries.Count < MaxDatasetSummaries && seen.Add(summary))
                    {
                        summaries.Add(summary);
                    }
                }
            }

            token = page.NextPageToken;
        }
        while (token is not null && summaries.Count < MaxDatasetSummaries);

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
