using System.Data.Common;

namespace Fathom.Tracking;

internal abstract partial class SqlTrackingStore
{
    /// <summary>The models a query selects (<see cref="SearchSql.LoggedModelColumns"/>, in its order), with their tags, params and metrics.</summary>
    private async Task<List<LoggedModel>> ReadLoggedModelsAsync(DbConnection connection, DbTransaction? transaction, DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<LoggedModel>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                rows.Add(new LoggedModel(
                    reader.GetString(0), Id(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5),
                    LoggedModelStatusNames.Parse(reader.GetString(6)) ?? LoggedModelStatus.Unspecified, Text(7), Text(8), Text(9), [], [], []));
            }
        }

        if (rows.Count == 0)
        {
            return rows;
        }

        var tags = new Dictionary<string, List<Tag>>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, List<Param>>(StringComparer.Ordinal);
        var metrics = new Dictionary<string, List<LoggedModelMetric>>(StringComparer.Ordinal);
        foreach (var slice in rows.Select(r => r.ModelId).Chunk(Dialect.ValuesPerList))
        {
            var q = new SqlParameters(Dialect);
            var any = Dialect.AnyOf(q, "model_id", slice);
            await using (var read = Command(connection, new SqlQuery($"SELECT model_id, key, value FROM logged_model_tags WHERE {any} ORDER BY model_id, {Dialect.BinaryOrder("key")};", q.List)))
            {
                read.Transaction = transaction;
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    Add(tags, reader.GetString(0), new Tag(reader.GetString(1), reader.GetString(2)));
                }
            }

            await using (var read = Command(connection, new SqlQuery($"SELECT model_id, key, value FROM logged_model_params WHERE {any} ORDER BY model_id, {Dialect.BinaryOrder("key")};", q.List)))
            {
                read.Transaction = transaction;
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    Add(parameters, reader.GetString(0), new Param(reader.GetString(1), reader.GetString(2)));
                }
            }

            await using (var read = Command(connection, new SqlQuery(
                $"SELECT model_id, key, value, timestamp, step, run_id, dataset_name, dataset_digest FROM logged_model_metrics WHERE {any} ORDER BY model_id, {Dialect.BinaryOrder("key")}, timestamp, step, run_id, dataset_name, dataset_digest;",
                q.List)))
            {
                read.Transaction = transaction;
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    string? Optional(int i) => reader.GetString(i) is { Length: > 0 } text ? text : null;
                    Add(metrics, reader.GetString(0), new LoggedModelMetric(
                        reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? double.NaN : reader.GetDouble(2), reader.GetInt64(3), reader.GetInt64(4),
                        reader.GetString(5), Optional(6), Optional(7)));
                }
            }
        }

        return rows.Select(r => r with
        {
            Tags = tags.GetValueOrDefault(r.ModelId) ?? [],
            Params = parameters.GetValueOrDefault(r.ModelId) ?? [],
            Metrics = metrics.GetValueOrDefault(r.ModelId) ?? [],
        }).ToList();
    }
}
