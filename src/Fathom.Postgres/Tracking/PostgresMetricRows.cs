using Npgsql;

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
    /// Locks the run's row, appends the points and moves each key's latest point forward, as one batch: one round
    /// trip, where a binary COPY took four (lock, COPY start, COPY data, latest) and spent most of the store's CPU
    /// in Npgsql's per-value writer. Without <paramref name="transaction"/> the batch is its own implicit
    /// transaction, committed when it ends (PostgreSQL's extended protocol: one Sync for the batch). The writes
    /// run only when the run is active, so a caller seeing another stage returned knows nothing was written.
    /// Without <paramref name="ignoreStored"/> a point already stored fails the batch with a unique violation on
    /// <c>metrics</c> (ON CONFLICT's speculative insertion costs about a quarter more WAL, measured); the caller
    /// then sends it again ignoring stored points, as MLflow ignores an exact repeat.
    /// </summary>
    /// <returns>The run's lifecycle stage, or null when there is no such run.</returns>
    public static async Task<string?> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string runId, IReadOnlyList<Metric> metrics, bool ignoreStored, CancellationToken cancellationToken)
    {
        // The lock serialises concurrent writers of one run, as SQLite's single writer does, and holds the run in
        // place until commit: metrics has no foreign key (schema migration 4), this lock is what ties points to a run.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT lifecycle_stage FROM runs WHERE run_uuid = $1 FOR UPDATE;") { Parameters = { new NpgsqlParameter<string>() { TypedValue = runId } } },
                Points(runId, metrics, ignoreStored),
                Latest(runId, metrics),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var stage = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        // Reading on surfaces an error of the later statements (a unique violation) here rather than at dispose.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }

        return stage;
    }

    private const string WhenRunActive = "WHERE EXISTS (SELECT 1 FROM runs WHERE run_uuid = $1 AND lifecycle_stage = 'active')";

    private static NpgsqlBatchCommand Points(string runId, IReadOnlyList<Metric> metrics, bool ignoreStored)
    {
        var keys = new string[metrics.Count];
        var timestamps = new long[metrics.Count];
        var steps = new long[metrics.Count];
        var values = new double[metrics.Count];
        var nans = new bool[metrics.Count];
        var order = InKeyOrder(metrics);
        for (var i = 0; i < metrics.Count; i++)
        {
            var m = metrics[order[i]];
            (keys[i], timestamps[i], steps[i], values[i], nans[i]) = (m.Key, m.Timestamp, m.Step, MetricValues.Stored(m.Value), double.IsNaN(m.Value));
        }

        // The points travel as five arrays and are unnested server-side.
        return new NpgsqlBatchCommand($"""
            INSERT INTO metrics (run_uuid, key, timestamp, step, value, is_nan)
            SELECT $1, k, t, s, v, n FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::boolean[]) AS p(k, t, s, v, n)
            {WhenRunActive}{(ignoreStored ? " ON CONFLICT DO NOTHING" : string.Empty)};
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string> { TypedValue = runId },
                new NpgsqlParameter<string[]> { TypedValue = keys },
                new NpgsqlParameter<long[]> { TypedValue = timestamps },
                new NpgsqlParameter<long[]> { TypedValue = steps },
                new NpgsqlParameter<double[]> { TypedValue = values },
                new NpgsqlParameter<bool[]> { TypedValue = nans },
            },
        };
    }

    /// <summary>
    /// The batch's indexes in the primary key's order (key, timestamp, step). Clients log several metrics per step,
    /// so a batch interleaves its keys; in key order each point's index entry lands beside the previous one, on a
    /// leaf page PostgreSQL has just touched, instead of hopping between as many leaves as there are keys: about a
    /// fifth less PostgreSQL CPU per point in the tracking-server bench (10 keys a batch).
    /// </summary>
    private static int[] InKeyOrder(IReadOnlyList<Metric> metrics)
    {
        var order = new int[metrics.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var (x, y) = (metrics[a], metrics[b]);
            var byKey = string.CompareOrdinal(x.Key, y.Key);
            return byKey != 0 ? byKey : x.Timestamp != y.Timestamp ? x.Timestamp.CompareTo(y.Timestamp) : x.Step != y.Step ? x.Step.CompareTo(y.Step) : a.CompareTo(b);
        });

        return order;
    }

    /// <summary>
    /// Moves each key's latest point forward when the batch has a later one; "latest" is the maximum of (step,
    /// timestamp, value), MLflow's rule. The batch's latest per key is found here, so the statement meets each key once.
    /// </summary>
    private static NpgsqlBatchCommand Latest(string runId, IReadOnlyList<Metric> metrics)
    {
        var latest = MetricValues.LatestByKey(metrics).Values.ToList();
        return new NpgsqlBatchCommand($"""
            INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan)
            SELECT $1, k, v, t, s, n FROM unnest($2::text[], $3::float8[], $4::bigint[], $5::bigint[], $6::boolean[]) AS p(k, v, t, s, n)
            {WhenRunActive}
            ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
            WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value);
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string> { TypedValue = runId },
                new NpgsqlParameter<string[]> { TypedValue = latest.Select(m => m.Key).ToArray() },
                new NpgsqlParameter<double[]> { TypedValue = latest.Select(m => MetricValues.Stored(m.Value)).ToArray() },
                new NpgsqlParameter<long[]> { TypedValue = latest.Select(m => m.Timestamp).ToArray() },
                new NpgsqlParameter<long[]> { TypedValue = latest.Select(m => m.Step).ToArray() },
                new NpgsqlParameter<bool[]> { TypedValue = latest.Select(m => double.IsNaN(m.Value)).ToArray() },
            },
        };
    }
}
