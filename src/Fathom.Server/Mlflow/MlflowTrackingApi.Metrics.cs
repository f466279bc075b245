using System.Text.Json;
using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    // MLflow's limits for the UI's sampled history (mlflow/server/handlers.py).
    private const int MaxBulkRuns = 100;
    private const int MaxBulkResultsPerRun = 2500;
    private const int MaxBulkResults = 25000;

    private static void MapMetrics(RouteGroupBuilder group, MlflowState state)
    {
        MlflowRpc.MapStreamed(group, "GET", "/metrics/get-history", state, GetMetricHistoryAsync, RoutePermission.Run(Access.Read, MlflowResources.RunId));
        MlflowRpc.Map(group, "GET", "/metrics/get-history-bulk-interval", state, GetMetricHistoryBulkIntervalAsync, RoutePermission.Runs(Access.Read, BulkIntervalRunIds));
    }

    // Like MLflow's SQL store, an unknown run or key is an empty history, not an error; with max_results the
    // history is paged with the same offset tokens as searches. Points go out as the store reads them.
    private static async Task GetMetricHistoryAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunId(request);
        var key = request.RequireString("metric_key");
        var limit = request.Int64("max_results");
        if (limit < 1)
        {
            // A page of nothing would hand back a token to the same place: a client following tokens would loop for ever.
            throw TrackingException.Invalid($"Invalid value {limit} for parameter 'max_results' supplied. It must be at least 1.");
        }

        var offset = PageTokens.Decode(request.String("page_token"));
        // One point past the page tells whether there is a next one.
        await using var points = new MetricReadAhead(state.Store.ReadMetricHistoryAsync(runId, key, offset, limit + 1, cancellationToken), cancellationToken);
        var more = await points.MoveNextAsync();
        writer.WriteStartObject();
        var written = 0L;
        if (more)
        {
            var pointJson = new MetricPointJson(JsonEncodedText.Encode(key, MlflowJson.WriterOptions.Encoder));
            writer.WriteStartArray("metrics");
            do
            {
                pointJson.Write(writer, points.Current);
                written++;
                await MlflowRpc.FlushIfFullAsync(writer, cancellationToken);
                more = await points.MoveNextAsync();
            }
            while (more && written != limit);

            writer.WriteEndArray();
        }

        if (more && limit is not null)
        {
            writer.WriteString("next_page_token", PageTokens.Encode(offset + written));
        }

        writer.WriteEndObject();
    }

    // The UI's charts: each run's points at a common sample of at most max_results steps, so that runs line up
    // on the x axis; the first and last step of every run are always kept (MLflow's get_metric_history_bulk_interval).
    private static async Task GetMetricHistoryBulkIntervalAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runIds = BulkIntervalRunIds(request);
        if (runIds.Count == 0)
        {
            throw MlflowRequest.Missing("run_ids");
        }

        if (runIds.Count > MaxBulkRuns)
        {
            throw TrackingException.Invalid($"GetMetricHistoryBulkInterval request must specify at most {MaxBulkRuns} run_ids. Received {runIds.Count} run_ids.");
        }

        var key = request.RequireString("metric_key");
        var maxResults = request.Int64("max_results") ?? MaxBulkResultsPerRun;
        if (maxResults is < 1 or > MaxBulkResultsPerRun)
        {
            throw TrackingException.Invalid($"max_results must be between 1 and {MaxBulkResultsPerRun}.");
        }

        var (start, end) = (request.Int64("start_step"), request.Int64("end_step"));
        if (start is not null && end is not null && start > end)
        {
            throw TrackingException.Invalid($"end_step must be greater than start_step. Found start_step={start} and end_step={end}.");
        }

        if ((start is null) != (end is null))
        {
            throw TrackingException.Invalid("If either start step or end step are specified, both must be specified.");
        }

        var steps = await SampledStepsAsync(state.Store, runIds, key, start, end, (int)maxResults, cancellationToken);
        writer.WriteStartObject();
        if (steps.Count > 0)
        {
            writer.WriteStartArray("metrics");
            foreach (var runId in runIds)
            {
                var points = new List<MetricPoint>();
                await foreach (var point in state.Store.ReadMetricHistoryAsync(runId, key, 0, null, cancellationToken))
                {
                    if (steps.Contains(point.Step))
                    {
                        points.Add(point);
                    }
                }

                // MLflow orders a run's sampled points by step, then timestamp and value, and caps each run.
                foreach (var point in points.OrderBy(p => p.Step).ThenBy(p => p.Timestamp).ThenBy(p => p.Value).Take(MaxBulkResults))
                {
                    writer.WriteStartObject();
                    writer.WriteString("key", key);
                    MlflowJson.WriteDouble(writer, "value", point.Value);
                    writer.WriteNumber("timestamp", point.Timestamp);
                    writer.WriteNumber("step", point.Step);
                    writer.WriteString("run_id", runId);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static IReadOnlyList<string> BulkIntervalRunIds(MlflowRequest request) => request.StringList("run_ids");

    private static async Task<HashSet<long>> SampledStepsAsync(
        ITrackingStore store, IReadOnlyList<string> runIds, string key, long? start, long? end, int maxResults, CancellationToken cancellationToken)
    {
        var all = new SortedSet<long>();
        var ends = new HashSet<long>();
        foreach (var runId in runIds)
        {
            long? min = null, max = null;
            await foreach (var point in store.ReadMetricHistoryAsync(runId, key, 0, null, cancellationToken))
            {
                all.Add(point.Step);
                min = Math.Min(min ?? point.Step, point.Step);
                max = Math.Max(max ?? point.Step, point.Step);
            }

            if (min is not null)
            {
                ends.Add(min.Value);
                ends.Add(max!.Value);
            }
        }

        var from = start ?? 0;
        var to = end ?? (all.Count > 0 ? all.Max : 0);
        var sampled = MetricSampling.SampleSteps([.. all], from, to, maxResults);
        sampled.UnionWith(ends.Where(step => step >= from && step <= to));
        return sampled;
    }
}
