using System.Data;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;

namespace Fathom.Tracking;

internal sealed partial class PostgresTrackingStore
{
    public async Task<RunInfo> CreateRunAsync(CreateRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var experimentId = ParseId(request.ExperimentId) ?? throw TrackingException.NotFound($"No Experiment with id={request.ExperimentId} exists");
        var (runName, tags) = RunCreation.Resolve(request, _random);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var experiment = (await ReadExperimentsAsync(connection, transaction, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $1;", [experimentId], cancellationToken)).SingleOrDefault()
            ?? throw TrackingException.NotFound($"No Experiment with id={request.ExperimentId} exists");
        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {request.ExperimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }

        var runId = Guid.NewGuid().ToString("N");
        var info = new RunInfo(runId, runName, request.ExperimentId, request.UserId, RunStatus.Running, request.StartTime, null,
            ArtifactLocations.ForRun(experiment.ArtifactLocation, runId), LifecycleStage.Active);
        await using (var insert = Command(connection, """
            INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
            VALUES ($1, $2, $3, $4, 'RUNNING', $5, NULL, 'active', $6);
            """, transaction, runId, runName, experimentId, request.UserId, request.StartTime, info.ArtifactUri))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var infos = await ReadRunInfosAsync(connection, null, $"SELECT {RunColumns} FROM runs WHERE run_uuid = $1;", [runId], cancellationToken);
        return infos.Count == 0 ? null : (await AttachDataAsync(connection, infos, cancellationToken))[0];
    }

    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await using (var update = Command(connection, """
            UPDATE runs SET status = COALESCE($1, status), end_time = COALESCE($2, end_time), name = COALESCE($3, name) WHERE run_uuid = $4;
            """, transaction, status?.ToWire(), endTime, string.IsNullOrEmpty(runName) ? null : runName, runId))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (!string.IsNullOrEmpty(runName))
        {
            await UpsertTagsAsync(connection, transaction, runId, [new Tag(SystemTags.RunName, runName)], cancellationToken);
        }

        var info = (await ReadRunInfosAsync(connection, transaction, $"SELECT {RunColumns} FROM runs WHERE run_uuid = $1;", [runId], cancellationToken))[0];
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, LifecycleStage.Deleted, cancellationToken);

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, LifecycleStage.Active, cancellationToken);

    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        TrackingValidation.ValidateBatch(metrics, parameters, tags);
        var points = PostgresMetricRows.Distinct(metrics);
        try
        {
            await LogBatchOnceAsync(runId, points, parameters, tags, ignoreStored: false, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.TableName == "metrics")
        {
            // Some points were stored already (a client resending a batch whose answer it lost): the insert rolled
            // back with everything else, and the batch goes again skipping what is stored.
            await LogBatchOnceAsync(runId, points, parameters, tags, ignoreStored: true, cancellationToken);
        }
    }

    private async Task LogBatchOnceAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, bool ignoreStored, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (metrics.Count > 0 && parameters.Count == 0 && tags.Count == 0)
        {
            // The common batch, points only: one round trip that commits itself, and writes nothing unless the run is active.
            RequireActive(runId, await PostgresMetricRows.AppendAsync(connection, null, runId, metrics, ignoreStored, cancellationToken));
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (metrics.Count > 0)
        {
            RequireActive(runId, await PostgresMetricRows.AppendAsync(connection, transaction, runId, metrics, ignoreStored, cancellationToken));
        }
        else
        {
            await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        }

        foreach (var param in parameters)
        {
            // Params are write-once: the same value again is fine, a different one is refused (MLflow's rule).
            await using var insert = Command(connection, """
                INSERT INTO params (run_uuid, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_uuid, key) DO NOTHING;
                """, transaction, runId, param.Key, param.Value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await using var existing = Command(connection, "SELECT value FROM params WHERE run_uuid = $1 AND key = $2;", transaction, runId, param.Key);
                var old = (string)(await existing.ExecuteScalarAsync(cancellationToken))!;
                if (old != param.Value)
                {
                    throw TrackingException.Invalid(
                        $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{old}' for run ID='{runId}'. Attempted logging new value '{param.Value}'.");
                }
            }
        }

        await UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await using var experimentCommand = Command(connection, "SELECT experiment_id FROM runs WHERE run_uuid = $1;", transaction, runId);
        var experimentId = (long)(await experimentCommand.ExecuteScalarAsync(cancellationToken))!;
        foreach (var input in inputs.DistinctBy(i => (i.Dataset.Name, i.Dataset.Digest)))
        {
            var d = input.Dataset;
            await using var upsert = Command(connection, """
                INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (experiment_id, name, digest) DO UPDATE SET name = excluded.name
                RETURNING dataset_uuid;
                """, transaction, Guid.NewGuid().ToString("N"), experimentId, d.Name, d.Digest, d.SourceType, d.Source, d.Schema, d.Profile);
            var datasetId = (string)(await upsert.ExecuteScalarAsync(cancellationToken))!;
            await using var link = Command(connection, "INSERT INTO inputs (run_uuid, dataset_uuid, tags) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING;", transaction,
                runId, datasetId, JsonSerializer.Serialize(input.Tags.Select(t => new[] { t.Key, t.Value })));
            await link.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await using var delete = Command(connection, "DELETE FROM tags WHERE run_uuid = $1 AND key = $2;", transaction, runId, key);
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // LIMIT NULL is PostgreSQL's "no limit"; the primary key's order is get-history's, so no sort step.
        await using var command = Command(connection, """
            SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = $1 AND key = $2
            ORDER BY timestamp, step, value LIMIT $3 OFFSET $4;
            """, null, runId, key, limit, offset);
        // Sequential access reads each row's columns in order straight off the wire buffer, without indexing the
        // row first; typed reads of the binary values box nothing.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var value = reader.GetFieldValue<double>(0);
            var timestamp = reader.GetFieldValue<long>(1);
            var step = reader.GetFieldValue<long>(2);
            yield return new MetricPoint(reader.GetFieldValue<bool>(3) ? double.NaN : value, timestamp, step);
        }
    }

    private static async Task UpsertTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        foreach (var tag in tags)
        {
            await using var upsert = Command(connection, """
                INSERT INTO tags (run_uuid, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value;
                """, transaction, runId, tag.Key, tag.Value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        // Setting the mlflow.runName tag renames the run, as in MLflow.
        if (tags.LastOrDefault(t => t.Key == SystemTags.RunName) is { } rename)
        {
            await using var update = Command(connection, "UPDATE runs SET name = $1 WHERE run_uuid = $2;", transaction, rename.Value, runId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task SetRunStageAsync(string runId, string stage, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var update = Command(connection, "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE run_uuid = $3;", null,
            stage, stage == LifecycleStage.Deleted ? NowMs() : null, runId);
        if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw TrackingException.NotFound($"Run with id={runId} not found");
        }
    }

    private static async Task RequireActiveRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        // FOR UPDATE serialises concurrent writers of one run, as SQLite's single writer does, and holds the run in
        // place until commit: metrics has no foreign key (schema migration 4), this lock is what ties points to a run.
        await using var command = Command(connection, "SELECT lifecycle_stage FROM runs WHERE run_uuid = $1 FOR UPDATE;", transaction, runId);
        RequireActive(runId, await command.ExecuteScalarAsync(cancellationToken) as string);
    }

    private static void RequireActive(string runId, string? stage)
    {
        if (stage is null)
        {
            throw TrackingException.NotFound($"Run with id={runId} not found");
        }

        if (stage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The run {runId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    private static async Task<List<RunInfo>> ReadRunInfosAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        var infos = new List<RunInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            infos.Add(new RunInfo(reader.GetString(0), reader.GetString(1), Id(reader.GetInt64(2)), reader.GetString(3),
                RunStatusNames.Parse(reader.GetString(4)) ?? RunStatus.Running, reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.GetString(7), reader.GetString(8)));
        }

        return infos;
    }

    private static async Task<List<Run>> AttachDataAsync(NpgsqlConnection connection, List<RunInfo> infos, CancellationToken cancellationToken)
    {
        var ids = infos.Select(i => i.RunId).ToArray();
        var metrics = new Dictionary<string, List<Metric>>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, List<Param>>(StringComparer.Ordinal);
        var tags = new Dictionary<string, List<Tag>>(StringComparer.Ordinal);
        var inputs = new Dictionary<string, List<DatasetInput>>(StringComparer.Ordinal);
        await ReadAsync("SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ANY($1) ORDER BY key;",
            r => Add(metrics, r.GetString(0), new Metric(r.GetString(1), r.GetBoolean(5) ? double.NaN : r.GetDouble(2), r.GetInt64(3), r.GetInt64(4))));
        await ReadAsync("SELECT run_uuid, key, value FROM params WHERE run_uuid = ANY($1) ORDER BY key;",
            r => Add(parameters, r.GetString(0), new Param(r.GetString(1), r.GetString(2))));
        await ReadAsync("SELECT run_uuid, key, value FROM tags WHERE run_uuid = ANY($1) ORDER BY key;",
            r => Add(tags, r.GetString(0), new Tag(r.GetString(1), r.GetString(2))));
        await ReadAsync("""
            SELECT i.run_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile, i.tags
            FROM inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid = ANY($1) ORDER BY d.name;
            """,
            r => Add(inputs, r.GetString(0), new DatasetInput(
                new Dataset(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)),
                (JsonSerializer.Deserialize<string[][]>(r.GetString(7)) ?? []).Select(p => new Tag(p[0], p[1])).ToList())));
        return infos.Select(i => new Run(i, metrics.GetValueOrDefault(i.RunId) ?? [], parameters.GetValueOrDefault(i.RunId) ?? [],
            tags.GetValueOrDefault(i.RunId) ?? [], inputs.GetValueOrDefault(i.RunId) ?? [])).ToList();

        async Task ReadAsync(string sql, Action<NpgsqlDataReader> read)
        {
            await using var command = Command(connection, sql, null, [ids]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                read(reader);
            }
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
