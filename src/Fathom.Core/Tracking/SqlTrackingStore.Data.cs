using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Fathom.Tracking;

internal abstract partial class SqlTrackingStore
{
    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        TrackingValidation.ValidateBatch(metrics, parameters, tags);
        if (_writeGate is not null)
        {
            // 8 concurrent log-batch callers then run back to back at single-writer speed instead of sleeping in
            // the database's retry loop.
            await _writeGate.WaitAsync(cancellationToken);
        }

        try
        {
            try
            {
                await LogBatchOnceAsync(runId, metrics, parameters, tags, ignoreStored: false, cancellationToken);
            }
            catch (DbException e) when (IsUniqueViolation(e))
            {
                // Some points were stored already (a client resending a batch whose answer it lost): everything rolled
                // back, and the batch goes again skipping what is stored.
                await LogBatchOnceAsync(runId, metrics, parameters, tags, ignoreStored: true, cancellationToken);
            }
        }
        finally
        {
            _writeGate?.Release();
        }
    }

    private async Task LogBatchOnceAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, bool ignoreStored, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // The common batch, points only, is one round trip that commits itself where the database allows.
        var oneBatch = metrics.Count > 0 && parameters.Count == 0 && tags.Count == 0 && Dialect.BatchIsOneTransaction;
        await using var transaction = oneBatch ? null : await connection.BeginTransactionAsync(cancellationToken);
        if (metrics.Count > 0)
        {
            RequireActive(runId, await AppendMetricsAsync(connection, transaction, runId, metrics, ignoreStored, cancellationToken));
        }
        else
        {
            await RequireActiveRunAsync(connection, transaction!, runId, cancellationToken);
        }

        if (transaction is null)
        {
            return;
        }

        await InsertParamsAsync(connection, transaction, runId, parameters, cancellationToken);
        await UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        long experimentId;
        await using (var experiment = Command(connection, transaction, "SELECT experiment_id FROM runs WHERE run_uuid = $1;", runId))
        {
            experimentId = Convert.ToInt64(await experiment.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        // A data set is identified by (name, digest) within its experiment; the first of duplicates wins.
        foreach (var input in inputs.DistinctBy(i => (i.Dataset.Name, i.Dataset.Digest)))
        {
            var d = input.Dataset;
            string datasetId;
            await using (var upsert = Command(connection, transaction, """
                INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (experiment_id, name, digest) DO UPDATE SET name = excluded.name
                RETURNING dataset_uuid;
                """, Guid.NewGuid().ToString("N"), experimentId, d.Name, d.Digest, d.SourceType, d.Source, d.Schema, d.Profile))
            {
                datasetId = (string)(await upsert.ExecuteScalarAsync(cancellationToken))!;
            }

            await using var link = Command(connection, transaction, "INSERT INTO inputs (run_uuid, dataset_uuid, tags) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING;",
                runId, datasetId, JsonSerializer.Serialize(input.Tags.Select(t => new[] { t.Key, t.Value })));
            await link.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await using (var delete = Command(connection, transaction, "DELETE FROM tags WHERE run_uuid = $1 AND key = $2;", runId, key))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No tag with name: {key} in run with id {runId}");
            }
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

    /// <summary>
    /// The history through ADO.NET; a backend whose driver reads rows faster another way overrides it. The primary key
    /// (run, key, timestamp, step, value, is_nan) holds every column in get-history's order, so this is one index range
    /// scan with no sort.
    /// </summary>
    public virtual async IAsyncEnumerable<MetricPoint> ReadMetricHistoryAsync(string runId, string key, long offset, long? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = $1 AND key = $2
            ORDER BY timestamp, step, value LIMIT $3 OFFSET $4;
            """, runId, key, limit ?? long.MaxValue, offset);
        // Sequential access reads each row's columns in order straight off the driver's buffer; typed reads box nothing.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var value = reader.GetFieldValue<double>(0);
            var timestamp = reader.GetFieldValue<long>(1);
            var step = reader.GetFieldValue<long>(2);
            yield return new MetricPoint(reader.GetBoolean(3) ? double.NaN : value, timestamp, step);
        }
    }

    private async Task InsertParamsAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken)
    {
        if (parameters.Count == 0)
        {
            return;
        }

        // One command re-bound per param, so the statement is prepared once.
        await using var insert = Command(connection, transaction, "INSERT INTO params (run_uuid, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_uuid, key) DO NOTHING;",
            runId, parameters[0].Key, parameters[0].Value);
        await using var existing = Command(connection, transaction, "SELECT value FROM params WHERE run_uuid = $1 AND key = $2;", runId, parameters[0].Key);
        foreach (var param in parameters)
        {
            (insert.Parameters[1].Value, insert.Parameters[2].Value) = (param.Key, param.Value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                continue;
            }

            // Params are write-once: the same value again is fine, a different one is refused (MLflow's rule).
            existing.Parameters[1].Value = param.Key;
            var old = (string)(await existing.ExecuteScalarAsync(cancellationToken))!;
            if (old != param.Value)
            {
                throw TrackingException.Invalid(
                    $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{old}' for run ID='{runId}'. Attempted logging new value '{param.Value}'.");
            }
        }
    }

    private async Task UpsertTagsAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return;
        }

        await using (var upsert = Command(connection, transaction, """
            INSERT INTO tags (run_uuid, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value;
            """, runId, tags[0].Key, tags[0].Value))
        {
            foreach (var tag in tags)
            {
                (upsert.Parameters[1].Value, upsert.Parameters[2].Value) = (tag.Key, tag.Value);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        // Setting the mlflow.runName tag renames the run, as in MLflow.
        if (tags.LastOrDefault(t => t.Key == SystemTags.RunName) is { } rename)
        {
            await using var update = Command(connection, transaction, "UPDATE runs SET name = $1 WHERE run_uuid = $2;", rename.Value, runId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The runs with their latest metrics, params, tags and inputs, read a slice of ids at a time.</summary>
    private async Task<List<Run>> AttachDataAsync(DbConnection connection, List<RunInfo> infos, CancellationToken cancellationToken)
    {
        var metrics = new Dictionary<string, List<Metric>>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, List<Param>>(StringComparer.Ordinal);
        var tags = new Dictionary<string, List<Tag>>(StringComparer.Ordinal);
        var inputs = new Dictionary<string, List<DatasetInput>>(StringComparer.Ordinal);
        foreach (var slice in infos.Select(i => i.RunId).Chunk(Dialect.ValuesPerList))
        {
            await ReadRowsAsync("SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE {0} ORDER BY key;", "run_uuid", slice,
                r => Add(metrics, r.GetString(0), new Metric(r.GetString(1), r.GetBoolean(5) ? double.NaN : r.GetDouble(2), r.GetInt64(3), r.GetInt64(4))));
            await ReadRowsAsync("SELECT run_uuid, key, value FROM params WHERE {0} ORDER BY key;", "run_uuid", slice,
                r => Add(parameters, r.GetString(0), new Param(r.GetString(1), r.GetString(2))));
            await ReadRowsAsync("SELECT run_uuid, key, value FROM tags WHERE {0} ORDER BY key;", "run_uuid", slice,
                r => Add(tags, r.GetString(0), new Tag(r.GetString(1), r.GetString(2))));
            await ReadRowsAsync("""
                SELECT i.run_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile, i.tags
                FROM inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE {0} ORDER BY d.name;
                """, "i.run_uuid", slice,
                r => Add(inputs, r.GetString(0), new DatasetInput(
                    new Dataset(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)),
                    (JsonSerializer.Deserialize<string[][]>(r.GetString(7)) ?? []).Select(p => new Tag(p[0], p[1])).ToList())));
        }

        return infos.Select(i => new Run(
            i,
            metrics.GetValueOrDefault(i.RunId) ?? [],
            parameters.GetValueOrDefault(i.RunId) ?? [],
            tags.GetValueOrDefault(i.RunId) ?? [],
            inputs.GetValueOrDefault(i.RunId) ?? [])).ToList();

        async Task ReadRowsAsync(string sql, string column, string[] ids, Action<DbDataReader> read)
        {
            var q = new SqlParameters(Dialect);
            await using var command = Command(connection, new SqlQuery(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, Dialect.AnyOf(q, column, ids)), q.List));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                read(reader);
            }
        }
    }
}
