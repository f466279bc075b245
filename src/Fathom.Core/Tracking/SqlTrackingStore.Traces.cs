using System.Data.Common;

namespace Fathom.Tracking;

/// <summary>Traces (MLflow's tracing API, v2) in the tracking database, as MLflow's SQL store keeps them.</summary>
internal abstract partial class SqlTrackingStore : ITraceStore
{
    /// <summary>Longest trace tag value (MLflow's MAX_TRACE_TAG_VAL_LENGTH); longer ones are shortened.</summary>
    public const int MaxTraceTagValueLength = 8000;

    private const string TraceColumns = "request_id, experiment_id, timestamp_ms, execution_time_ms, status";

    public async Task<TraceInfo> StartTraceAsync(string experimentId, long timestampMs, IReadOnlyList<Tag> requestMetadata, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestMetadata);
        ArgumentNullException.ThrowIfNull(tags);
        var id = ParseExperimentId(experimentId);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Experiment experiment;
        await using (var read = Command(connection, transaction, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $1;", id))
        {
            experiment = (await ReadExperimentsAsync(connection, transaction, read, cancellationToken)).SingleOrDefault()
                ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
        }

        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {experimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }

        // MLflow's v2 ids are uuid4().hex; the trace's data goes below its experiment's artifacts, apart from the runs'.
        var requestId = Guid.NewGuid().ToString("N");
        var location = new Tag(TraceTags.ArtifactLocation, ArtifactLocations.Join(experiment.ArtifactLocation, $"traces/{requestId}/artifacts"));
        await using (var insert = Command(connection, transaction,
            $"INSERT INTO trace_info ({TraceColumns}) VALUES ($1, $2, $3, NULL, $4);", requestId, id, timestampMs, TraceStatus.InProgress.ToWire()))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await UpsertTracePairsAsync(connection, transaction, "trace_request_metadata", requestId, requestMetadata, cancellationToken);
        await UpsertTracePairsAsync(connection, transaction, "trace_tags", requestId, [.. tags, location], cancellationToken);
        var info = await ReadTraceAsync(connection, transaction, requestId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info!;
    }

    public async Task<TraceInfo> EndTraceAsync(string requestId, long timestampMs, TraceStatus status, IReadOnlyList<Tag> requestMetadata, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestMetadata);
        ArgumentNullException.ThrowIfNull(tags);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The duration is counted from the start the store holds, as MLflow's end_trace does.
        await using (var update = Command(connection, transaction,
            "UPDATE trace_info SET execution_time_ms = $1 - timestamp_ms, status = $2 WHERE request_id = $3;", timestampMs, status.ToWire(), requestId))
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TraceNotFound(requestId);
            }
        }

        await UpsertTracePairsAsync(connection, transaction, "trace_request_metadata", requestId, requestMetadata, cancellationToken);
        // MLflow's client sends back every tag it holds, the data location among them: that one stays the store's.
        await UpsertTracePairsAsync(connection, transaction, "trace_tags", requestId, [.. tags.Where(t => t.Key != TraceTags.ArtifactLocation)], cancellationToken);
        var info = await ReadTraceAsync(connection, transaction, requestId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info!;
    }

    public async Task<TraceInfo?> GetTraceInfoAsync(string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await ReadTraceAsync(connection, null, requestId, cancellationToken);
    }

    public async Task<TracesPage> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken)
    {
        if (SearchSql.Traces(Dialect, search) is not { } page)
        {
            return new TracesPage([], null);
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        List<TraceInfo> traces;
        await using (var command = Command(connection, page.Query))
        {
            traces = await ReadTracesAsync(connection, null, command, cancellationToken);
        }

        var token = PageTokens.NextPage(traces, search.MaxResults, page.Offset);
        return new TracesPage(traces, token);
    }

    public async Task<int> DeleteTracesAsync(TraceDeletion deletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        var id = ParseExperimentId(deletion.ExperimentId);
        var q = new SqlParameters(Dialect);
        var where = $"experiment_id = {q.Add(id)}";
        if (deletion.MaxTimestampMillis is { } before)
        {
            where += $" AND timestamp_ms <= {q.Add(before)}";
        }

        if (deletion.RequestIds.Count > 0)
        {
            where += $" AND {Dialect.AnyOf(q, "request_id", deletion.RequestIds)}";
        }

        // At most max_traces of them, the oldest first (MLflow's SQL store).
        var select = $"SELECT request_id FROM trace_info WHERE {where} ORDER BY timestamp_ms, request_id"
            + (deletion.MaxTraces is { } most ? $" LIMIT {most.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : string.Empty);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ids = new List<string>();
        await using (var read = Command(connection, new SqlQuery(select + ";", q.List)))
        {
            read.Transaction = transaction;
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }
        }

        foreach (var slice in ids.Chunk(Dialect.ValuesPerList))
        {
            // Tags and metadata go first: the foreign keys would cascade, but only where the connection enforces them.
            foreach (var table in new[] { "trace_tags", "trace_request_metadata", "trace_info" })
            {
                var p = new SqlParameters(Dialect);
                await using var delete = Command(connection, new SqlQuery($"DELETE FROM {table} WHERE {Dialect.AnyOf(p, "request_id", slice)};", p.List));
                delete.Transaction = transaction;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return ids.Count;
    }

    public async Task SetTraceTagAsync(string requestId, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingValidation.ValidateKey(tag.Key, "tag");
        RefuseDataLocation(tag.Key);
        var value = TrackingValidation.LimitValue(tag.Value, MaxTraceTagValueLength, "value", TrackingValidation.TruncateLongValues);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireTraceAsync(connection, transaction, requestId, cancellationToken);
        await UpsertTracePairsAsync(connection, transaction, "trace_tags", requestId, [tag with { Value = value }], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteTraceTagAsync(string requestId, string key, CancellationToken cancellationToken)
    {
        RefuseDataLocation(key);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var delete = Command(connection, null, "DELETE FROM trace_tags WHERE request_id = $1 AND key = $2;", requestId, key);
        if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw TrackingException.NotFound($"No trace tag with key '{key}' for trace with request_id '{requestId}'");
        }
    }

    /// <summary>
    /// The data location is the store's to set, when the trace starts: the server reads a trace's spans from it, so a
    /// caller who may tag a trace must not point it at other files (another experiment's, or the server's own).
    /// </summary>
    private static void RefuseDataLocation(string key)
    {
        if (key == TraceTags.ArtifactLocation)
        {
            throw TrackingException.Invalid($"The trace tag '{TraceTags.ArtifactLocation}' is set by the tracking store when the trace starts and cannot be changed.");
        }
    }

    private static TrackingException TraceNotFound(string requestId) =>
        TrackingException.NotFound($"Trace with request_id '{requestId}' not found.");

    private async Task RequireTraceAsync(DbConnection connection, DbTransaction transaction, string requestId, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, transaction, "SELECT 1 FROM trace_info WHERE request_id = $1;", requestId);
        if (await read.ExecuteScalarAsync(cancellationToken) is null)
        {
            throw TraceNotFound(requestId);
        }
    }

    // Upserts, the last of duplicate keys winning: metadata and tags given again on end_trace replace the start's (MLflow's merge).
    private async Task UpsertTracePairsAsync(DbConnection connection, DbTransaction transaction, string table, string requestId, IReadOnlyList<Tag> pairs, CancellationToken cancellationToken)
    {
        if (pairs.Count == 0)
        {
            return;
        }

        await using var upsert = Command(connection, transaction,
            $"INSERT INTO {table} (request_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (request_id, key) DO UPDATE SET value = excluded.value;",
            requestId, pairs[0].Key, pairs[0].Value);
        foreach (var pair in pairs)
        {
            (upsert.Parameters[1].Value, upsert.Parameters[2].Value) = (pair.Key, pair.Value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<TraceInfo?> ReadTraceAsync(DbConnection connection, DbTransaction? transaction, string requestId, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, transaction, $"SELECT {TraceColumns} FROM trace_info WHERE request_id = $1;", requestId);
        return (await ReadTracesAsync(connection, transaction, read, cancellationToken)).SingleOrDefault();
    }

    /// <summary>The traces a query selects (<see cref="TraceColumns"/>, in its order), with their metadata and tags.</summary>
    private async Task<List<TraceInfo>> ReadTracesAsync(DbConnection connection, DbTransaction? transaction, DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<(string Id, long Experiment, long Timestamp, long? Duration, string Status)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetString(4)));
            }
        }

        var metadata = new Dictionary<string, List<Tag>>(StringComparer.Ordinal);
        var tags = new Dictionary<string, List<Tag>>(StringComparer.Ordinal);
        foreach (var slice in rows.Select(r => r.Id).Chunk(Dialect.ValuesPerList))
        {
            foreach (var (table, into) in new[] { ("trace_request_metadata", metadata), ("trace_tags", tags) })
            {
                var q = new SqlParameters(Dialect);
                await using var pairs = Command(connection, new SqlQuery($"SELECT request_id, key, value FROM {table} WHERE {Dialect.AnyOf(q, "request_id", slice)} ORDER BY request_id, {Dialect.BinaryOrder("key")};", q.List));
                pairs.Transaction = transaction;
                await using var reader = await pairs.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    Add(into, reader.GetString(0), new Tag(reader.GetString(1), reader.GetString(2)));
                }
            }
        }

        return rows.Select(r => new TraceInfo(
            r.Id, Id(r.Experiment), r.Timestamp, r.Duration, TraceStatusNames.Parse(r.Status) ?? TraceStatus.Unspecified,
            metadata.GetValueOrDefault(r.Id) ?? [], tags.GetValueOrDefault(r.Id) ?? [])).ToList();
    }
}
