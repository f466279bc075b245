using System.Data.Common;
using System.Globalization;

namespace Fathom.Tracking;

/// <summary>
/// SearchDatasets as one query for any store: the experiments' data sets (found by the datasets table's
/// (experiment_id, name, digest) key) joined to the inputs that used them, grouped by context, so the work grows
/// with the inputs of those data sets rather than with every run of the experiments.
/// </summary>
internal static class DatasetSummarySql
{
    public static SqlQuery Query(SqlDialect dialect, IReadOnlyList<long> experimentIds, int limit)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(experimentIds);
        var q = new SqlParameters(dialect);
        var ids = string.Join(", ", experimentIds.Select(q.Add));
        var context = $"(SELECT {dialect.JsonPairItem("j", 1)} FROM {dialect.JsonPairs("u.tags", "j")} WHERE {dialect.JsonPairItem("j", 0)} = 'mlflow.data.context' LIMIT 1)";
        // Inputs are grouped by their tags text first, so the JSON is read once per distinct tag set rather than once
        // per run; most recently used first (the order the UI lists them in), the rest only makes the order total.
        var sql = $"""
            SELECT s.experiment_id, s.name, s.digest, s.context FROM (
                SELECT u.experiment_id, u.name, u.digest, {context} AS context, u.last_used FROM (
                    SELECT d.experiment_id, d.name, d.digest, i.tags, MAX(r.start_time) AS last_used
                    FROM datasets d JOIN inputs i ON i.dataset_uuid = d.dataset_uuid JOIN runs r ON r.run_uuid = i.run_uuid
                    WHERE d.experiment_id IN ({ids})
                    GROUP BY d.experiment_id, d.name, d.digest, i.tags) u) s
            GROUP BY s.experiment_id, s.name, s.digest, s.context
            ORDER BY MAX(s.last_used) DESC, s.experiment_id, {dialect.BinaryOrder("s.name")}, {dialect.BinaryOrder("s.digest")}, s.context IS NULL, {dialect.BinaryOrder("s.context")}
            LIMIT {limit.ToString(CultureInfo.InvariantCulture)};
            """;
        return new SqlQuery(sql, q.List);
    }

    /// <summary>Reads the rows of <see cref="Query"/>.</summary>
    public static async Task<IReadOnlyList<DatasetSummary>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var summaries = new List<DatasetSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            summaries.Add(new DatasetSummary(
                reader.GetInt64(0).ToString(CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return summaries;
    }
}
