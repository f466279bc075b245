using System.Globalization;
using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Remote;

internal sealed partial class MlflowRestStore : IDatasetSummaries
{
    /// <summary>
    /// MLflow's SearchDatasets over HTTP: the server answers it (Fathom's and MLflow's alike) under <c>ajax-api</c>, takes
    /// 1 to 20 experiments and caps the answer at 1,000 summaries, the most recently used first; a longer list of
    /// experiments is the server's refusal to word.
    /// </summary>
    public async Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<long> experimentIds, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        if (experimentIds.Count == 0 || limit <= 0)
        {
            return [];
        }

        var ids = new JsonArray(experimentIds.Select(id => (JsonNode?)JsonValue.Create(id.ToString(CultureInfo.InvariantCulture))).ToArray());
        var response = await _connection.PostAjaxAsync("experiments/search-datasets", new JsonObject { ["experiment_ids"] = ids }, cancellationToken);
        return (response["dataset_summaries"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(s => new DatasetSummary(
                s["experiment_id"]?.ToString() ?? string.Empty,
                s["name"]?.GetValue<string>() ?? string.Empty,
                s["digest"]?.GetValue<string>() ?? string.Empty,
                s["context"]?.GetValue<string>()))
            .Take(limit)
            .ToList();
    }
}
