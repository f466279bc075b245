using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Fathom.Tracking;

internal sealed partial class SqliteTrackingStore
{
    // SQLite caps bound parameters per statement; runs' data is read in slices of this many ids.
    private const int IdsPerQuery = 500;

    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        TrackingValidation.ValidateBatch(metrics, parameters, tags);

        // Writers in this process take turns here instead of contending for SQLite's lock, whose retry loop
        // sleeps: 8 concurrent log-batch callers then run back to back at single-writer speed.
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await LogBatchInTransactionAsync(runId, metrics, parameters, tags, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task LogBatchInTransactionAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        if (parameters.Count > 0)
        {
            await InsertParamsAsync(connection, transaction, runId, parameters, cancellationToken);
        }

        if (metrics.Count > 0)
        {
            await InsertMetricsAsync(connection, transaction, runId, metrics, cancellationToken);
        }

        if (tags.Count > 0)
        {
            await UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        long experimentId;
        await using (var exp = Command(connection, "SELECT experiment_id FROM runs WHERE run_uuid = $id;", transaction))
        {
            exp.Parameters.AddWithValue("$id", runId);
            experimentId = (long)(await exp.ExecuteScalarAsync(cancellationToken))!;
        }

        // A data set is identified by (name, digest) within its experiment; the first of duplicates wins.
        foreach (var input in inputs.DistinctBy(i => (i.Dataset.Name, i.Dataset.Digest)))
        {
            var d = input.Dataset;
            await using var upsert = Command(connection, """
                INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
                VALUES ($uuid, $exp, $name, $digest, $type, $source, $schema, $profile)
                ON CONFLICT (experiment_id, name, digest) DO UPDATE SET name = excluded.name
                RETURNING dataset_uuid;
                """, transaction);
            upsert.Parameters.AddWithValue("$uuid", Guid.NewGuid().ToString("N"));
            upsert.Parameters.AddWithValue("$exp", experimentId);
            upsert.Parameters.AddWithValue("$name", d.Name);
            upsert.Parameters.AddWithValue("$digest", d.Digest);
            upsert.Parameters.AddWithValue("$type", d.SourceType);
            upsert.Parameters.AddWithValue("$source", d.Source);
            upsert.Parameters.AddWithValue("$schema", (object?)d.Schema ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$profile", (object?)d.Profile ?? DBNull.Value);
            var datasetId = (string)(await upsert.ExecuteScalarAsync(cancellationToken))!;

            await using var link = Command(connection, "INSERT OR IGNORE INTO inputs (run_uuid, dataset_uuid, tags) VALUES ($run, $ds, $tags);", transaction);
            link.Parameters.AddWithValue("$run", runId);
            link.Parameters.AddWithValue("$ds", datasetId);
            link.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(input.Tags.Select(t => new[] { t.Key, t.Value })));
            await link.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await using var delete = Command(connection, "DELETE FROM tags WHERE run_uuid = $id AND key = $key;", transaction);
        delete.Parameters.AddWithValue("$id", runId);
        delete.Parameters.AddWithValue("$key", key);
        if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw TrackingException.NotFound($"No tag with name: {key} in run with id {runId}");
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken)
    {
        var history = new List<Metric>();
        await foreach (var point in ReadMetricHistoryAsync(runId, key, 0, null, cancellationToken))
        {
            history.Add(point.ToMetric(key));
        }

        return history;
    }

    public async IAsyncEnumerable<MetricPoint> ReadMetricHistoryAsync(string runId, string key, long offset, long? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        using var history = SqliteMetricHistory.Open(connection, runId, key, offset, limit);
        // Rows are stepped synchronously: SQLite has no async read, and an await per row would only add a Task.
        while (history.Read(out var point))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return point;
        }
    }

    private static async Task InsertParamsAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, "INSERT INTO params (run_uuid, key, value) VALUES ($id, $k, $v) ON CONFLICT DO NOTHING;", transaction);
        var id = insert.Parameters.AddWithValue("$id", runId);
        var k = insert.Parameters.Add("$k", SqliteType.Text);
        var v = insert.Parameters.Add("$v", SqliteType.Text);
        await using var existing = Command(connection, "SELECT value FROM params WHERE run_uuid = $id AND key = $k;", transaction);
        existing.Parameters.AddWithValue("$id", runId);
        var existingKey = existing.Parameters.Add("$k", SqliteType.Text);
        foreach (var param in parameters)
        {
            k.Value = param.Key;
            v.Value = param.Value;
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                continue;
            }

            // Params are write-once: the same value again is fine, a different one is refused (MLflow's rule).
            existingKey.Value = param.Key;
            var old = (string)(await existing.ExecuteScalarAsync(cancellationToken))!;
            if (old != param.Value)
            {
                throw TrackingException.Invalid(
                    $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{old}' for run ID='{runId}'. Attempted logging new value '{param.Value}'.");
            }
        }

        GC.KeepAlive(id);
    }

    private static async Task InsertMetricsAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        // Synchronous on purpose: Microsoft.Data.Sqlite's async calls complete synchronously anyway.
        SqliteMetricRows.Insert(connection, runId, metrics);
        var latest = MetricValues.LatestByKey(metrics);

        // "Latest" is the maximum of (step, timestamp, value), as in MLflow's SQL store.
        await using var upsert = Command(connection, """
            INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES ($id, $k, $v, $t, $s, $n)
            ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
            WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value);
            """, transaction);
        upsert.Parameters.AddWithValue("$id", runId);
        var uk = upsert.Parameters.Add("$k", SqliteType.Text);
        var uv = upsert.Parameters.Add("$v", SqliteType.Real);
        var ut = upsert.Parameters.Add("$t", SqliteType.Integer);
        var us = upsert.Parameters.Add("$s", SqliteType.Integer);
        var un = upsert.Parameters.Add("$n", SqliteType.Integer);
        foreach (var metric in latest.Values)
        {
            uk.Value = metric.Key;
            uv.Value = MetricValues.Stored(metric.Value);
            ut.Value = metric.Timestamp;
            us.Value = metric.Step;
            un.Value = double.IsNaN(metric.Value) ? 1 : 0;
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task UpsertTagsAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        await using var upsert = Command(connection, """
            INSERT INTO tags (run_uuid, key, value) VALUES ($id, $k, $v)
            ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value;
            """, transaction);
        upsert.Parameters.AddWithValue("$id", runId);
        var k = upsert.Parameters.Add("$k", SqliteType.Text);
        var v = upsert.Parameters.Add("$v", SqliteType.Text);
        foreach (var tag in tags)
        {
            k.Value = tag.Key;
            v.Value = tag.Value;
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        // Setting the mlflow.runName tag renames the run, as in MLflow.
        var rename = tags.LastOrDefault(t => t.Key == SystemTags.RunName);
        if (rename is not null)
        {
            await using var update = Command(connection, "UPDATE runs SET name = $name WHERE run_uuid = $id;", transaction);
            update.Parameters.AddWithValue("$name", rename.Value);
            update.Parameters.AddWithValue("$id", runId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<List<Run>> AttachDataAsync(SqliteConnection connection, List<RunInfo> infos, CancellationToken cancellationToken)
    {
        var metrics = new Dictionary<string, List<Metric>>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, List<Param>>(StringComparer.Ordinal);
        var tags = new Dictionary<string, List<Tag>>(StringComparer.Ordinal);
        var inputs = new Dictionary<string, List<DatasetInput>>(StringComparer.Ordinal);
        foreach (var slice in infos.Select(i => i.RunId).Chunk(IdsPerQuery))
        {
            var ids = InList(slice.Length);
            await ReadRowsAsync(connection, $"SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN ({ids}) ORDER BY key;", slice,
                r => Add(metrics, r.GetString(0), new Metric(r.GetString(1), r.GetInt64(5) == 1 ? double.NaN : r.GetDouble(2), r.GetInt64(3), r.GetInt64(4))), cancellationToken);
            await ReadRowsAsync(connection, $"SELECT run_uuid, key, value FROM params WHERE run_uuid IN ({ids}) ORDER BY key;", slice,
                r => Add(parameters, r.GetString(0), new Param(r.GetString(1), r.GetString(2))), cancellationToken);
            await ReadRowsAsync(connection, $"SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ({ids}) ORDER BY key;", slice,
                r => Add(tags, r.GetString(0), new Tag(r.GetString(1), r.GetString(2))), cancellationToken);
            await ReadRowsAsync(connection, $"""
                SELECT i.run_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile, i.tags
                FROM inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid IN ({ids}) ORDER BY d.name;
                """, slice,
                r => Add(inputs, r.GetString(0), new DatasetInput(
                    new Dataset(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)),
                    (JsonSerializer.Deserialize<string[][]>(r.GetString(7)) ?? []).Select(p => new Tag(p[0], p[1])).ToList())), cancellationToken);
        }

        return infos.Select(i => new Run(
            i,
            metrics.GetValueOrDefault(i.RunId) ?? [],
            parameters.GetValueOrDefault(i.RunId) ?? [],
            tags.GetValueOrDefault(i.RunId) ?? [],
            inputs.GetValueOrDefault(i.RunId) ?? [])).ToList();
    }

    private static string InList(int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            sb.Append(i == 0 ? "$p" : ", $p").Append(i.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static async Task ReadRowsAsync(SqliteConnection connection, string sql, string[] ids, Action<SqliteDataReader> read, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        for (var i = 0; i < ids.Length; i++)
        {
            command.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), ids[i]);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            read(reader);
        }
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T item)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(item);
    }
}
