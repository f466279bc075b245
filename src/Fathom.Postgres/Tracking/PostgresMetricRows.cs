using Npgsql;
using NpgsqlTypes;

namespace Fathom.Tracking;

/// <summary>
/// Writes a batch of metric points to the PostgreSQL <c>metrics</c> and <c>latest_metrics</c> tables, on the
/// caller's connection and inside its open transaction.
/// </summary>
internal static class PostgresMetricRows
{
    /// <summary>
    /// The batch without exact repeats (same key, timestamp, step, value and NaN flag), first occurrence kept:
    /// the stored key is all five, so a repeat would be a key violation. Returns the list itself when it has none.
    /// </summary>
    public static IReadOnlyList<Metric> Distinct(IReadOnlyList<Metric> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        // double's equality and hash treat 0.0 and -0.0 as one value, as PostgreSQL's float8 comparison does.
        var seen = new HashSet<(string Key, long Timestamp, long Step, double Value, bool IsNaN)>(metrics.Count);
        List<Metric>? distinct = null;
        for (var i = 0; i < metrics.Count; i++)
        {
            var m = metrics[i];
            if (seen.Add((m.Key, m.Timestamp, m.Step, MetricValues.Stored(m.Value), double.IsNaN(m.Value))))
            {
                distinct?.Add(m);
            }
            else
            {
                distinct ??= [.. metrics.Take(i)];
            }
        }

        return distinct ?? metrics;
    }

    /// <summary>
    /// Appends points none of which is stored yet with a binary COPY: no speculative insertion per row, and a
    /// quarter less WAL than INSERT … ON CONFLICT (measured). A point already stored fails the whole COPY with a unique violation on
    /// <c>metrics</c>; the caller then rolls back and uses <see cref="InsertIgnoringStoredAsync"/>.
    /// </summary>
    public static async Task CopyAsync(NpgsqlConnection connection, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync(
            "COPY metrics (run_uuid, key, timestamp, step, value, is_nan) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var metric in metrics)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(runId, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(metric.Key, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(metric.Timestamp, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(metric.Step, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(MetricValues.Stored(metric.Value), NpgsqlDbType.Double, cancellationToken);
            await import.WriteAsync(double.IsNaN(metric.Value), NpgsqlDbType.Boolean, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    /// <summary>Inserts the points, skipping those already stored (MLflow ignores an exact repeat), in one statement.</summary>
    public static async Task InsertIgnoringStoredAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        // The points travel as five arrays and are unnested server-side.
        await using var insert = new NpgsqlCommand("""
            INSERT INTO metrics (run_uuid, key, timestamp, step, value, is_nan)
            SELECT $1, k, t, s, v, n FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::boolean[]) AS p(k, t, s, v, n)
            ON CONFLICT DO NOTHING;
            """, connection, transaction);
        insert.Parameters.AddWithValue(runId);
        insert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Text, metrics.Select(m => m.Key).ToArray());
        insert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Bigint, metrics.Select(m => m.Timestamp).ToArray());
        insert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Bigint, metrics.Select(m => m.Step).ToArray());
        insert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Double, metrics.Select(m => MetricValues.Stored(m.Value)).ToArray());
        insert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Boolean, metrics.Select(m => double.IsNaN(m.Value)).ToArray());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Moves each key's latest point forward when the batch has a later one; "latest" is the maximum of (step,
    /// timestamp, value), MLflow's rule. The batch's latest per key is found here, so the statement meets each key once.
    /// </summary>
    public static async Task UpsertLatestAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        var latest = MetricValues.LatestByKey(metrics).Values.ToList();
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan)
            SELECT $1, k, v, t, s, n FROM unnest($2::text[], $3::float8[], $4::bigint[], $5::bigint[], $6::boolean[]) AS p(k, v, t, s, n)
            ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
            WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value);
            """, connection, transaction);
        upsert.Parameters.AddWithValue(runId);
        upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Text, latest.Select(m => m.Key).ToArray());
        upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Double, latest.Select(m => MetricValues.Stored(m.Value)).ToArray());
        upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Bigint, latest.Select(m => m.Timestamp).ToArray());
        upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Bigint, latest.Select(m => m.Step).ToArray());
        upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Boolean, latest.Select(m => double.IsNaN(m.Value)).ToArray());
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }
}
