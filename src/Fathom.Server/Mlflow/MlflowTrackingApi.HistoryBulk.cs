using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    // MLflow's limits for the UI's unsampled chart data (get_metric_history_bulk_handler).
    private const int MaxHistoryBulkRuns = 100;
    private const int MaxHistoryBulkResults = 25000;

    // The web UI's get-history-bulk, an ajax-only route in MLflow: every point of one metric for several runs (run_id
    // repeated in the query string), ordered by run id, then as get-history orders a run's points, capped in total.
    private static async Task GetMetricHistoryBulkAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runIds = HistoryBulkRunIds(request);
        if (runIds.Count == 0)
        {
            throw TrackingException.Invalid("GetMetricHistoryBulk request must specify at least one run_id.");
        }

        if (runIds.Count > MaxHistoryBulkRuns)
        {
            throw TrackingException.Invalid($"GetMetricHistoryBulk request cannot specify more than {MaxHistoryBulkRuns} run_ids. Received {runIds.Count} run_ids.");
        }

        var key = request.String("metric_key") ?? throw TrackingException.Invalid("GetMetricHistoryBulk request must specify a metric_key.");
        var remaining = Math.Clamp(request.Int64("max_results") ?? MaxHistoryBulkResults, 0, MaxHistoryBulkResults);
        writer.WriteStartObject();
        writer.WriteStartArray("metrics");
        // MLflow's SQL store selects run_uuid IN (…) ordered by run_uuid: each id once, in ordinal order.
        foreach (var runId in runIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (remaining == 0)
            {
                break;
            }

            await foreach (var point in state.Store.ReadMetricHistoryAsync(runId, key, 0, remaining, cancellationToken))
            {
                writer.WriteStartObject();
                writer.WriteString("key", key);
                MlflowJson.WriteDouble(writer, "value", point.Value);
                writer.WriteNumber("timestamp", point.Timestamp);
                writer.WriteNumber("step", point.Step);
                writer.WriteString("run_id", runId);
                writer.WriteEndObject();
                remaining--;
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static IReadOnlyList<string> HistoryBulkRunIds(MlflowRequest request) => request.StringList("run_id");
}
