using System.Data.Common;
using System.Runtime.CompilerServices;
using Fathom.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fathom.Tracking;

/// <summary>
/// The embedded tracking store: one SQLite file in WAL mode, the shared <see cref="SqlTrackingStore"/> over pooled
/// connections. Its fast paths go straight through SQLitePCL: a batch's points are inserted by
/// <see cref="SqliteMetricRows"/> and a history is stepped by <see cref="SqliteMetricHistory"/>.
/// </summary>
internal sealed class SqliteTrackingStore : SqlTrackingStore
{
    private readonly string _connectionString;

    private SqliteTrackingStore(string connectionString, string defaultArtifactRoot, TimeProvider time)
        : base(SqliteDialect.Instance, defaultArtifactRoot, time)
    {
        _connectionString = connectionString;
        ModelRegistry = new SqliteModelRegistryStore(OpenConnection, time);
    }

    public override IModelRegistryStore ModelRegistry { get; }

    /// <summary>The database file.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>
    /// Opens (creating and migrating if needed) the store in <paramref name="databasePath"/>; an upgrade of an existing
    /// store reports its long steps on <paramref name="logger"/>.
    /// </summary>
    public static SqliteTrackingStore Open(string databasePath, string defaultArtifactRoot, TimeProvider time, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var full = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a command waits on a locked database before failing: writers queue instead of erroring.
            DefaultTimeout = 60,
        }.ToString();
        var store = new SqliteTrackingStore(connectionString, defaultArtifactRoot, time) { DatabasePath = full };
        using var connection = store.OpenConnection();
        SqliteSchema.Migrate(connection, store.NowMs(), defaultArtifactRoot, SqliteSchema.LatestVersion, time, logger ?? NullLogger.Instance);
        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await base.DisposeAsync();
    }

    // SQLite opens synchronously: its async calls complete synchronously anyway.
    protected override ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => ValueTask.FromResult<DbConnection>(OpenConnection());

    // SQLITE_CONSTRAINT: a primary-key or unique violation.
    protected override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    protected override async Task<string?> AppendMetricsAsync(
        DbConnection connection, DbTransaction? transaction, string runId, IReadOnlyList<Metric> metrics, bool ignoreStored, CancellationToken cancellationToken)
    {
        var stage = await RunStageAsync(connection, transaction, runId, cancellationToken);
        if (stage != LifecycleStage.Active)
        {
            return stage;
        }

        // INSERT OR IGNORE: exact repeats are skipped whatever ignoreStored says, for the same cost.
        SqliteMetricRows.Insert((SqliteConnection)connection, runId, metrics);

        // The batch's latest per key is found here, so the upsert meets each key once.
        var latest = MetricValues.LatestByKey(metrics);
        var first = latest.Values.First();
        await using var upsert = Command(connection, transaction, """
            INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
            WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value);
            """, runId, first.Key, 0.0, 0L, 0L, 0L);
        foreach (var metric in latest.Values)
        {
            upsert.Parameters[1].Value = metric.Key;
            upsert.Parameters[2].Value = MetricValues.Stored(metric.Value);
            upsert.Parameters[3].Value = metric.Timestamp;
            upsert.Parameters[4].Value = metric.Step;
            upsert.Parameters[5].Value = double.IsNaN(metric.Value) ? 1L : 0L;
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        return stage;
    }

    public override async IAsyncEnumerable<MetricPoint> ReadMetricHistoryAsync(string runId, string key, long offset, long? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
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

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // NORMAL is durable in WAL mode except for the last commits before a power loss (not a process crash);
        // foreign keys are off by default in SQLite and must be asked for on each connection. temp_store=MEMORY keeps
        // statement journals in memory: every multi-row INSERT of a batch's points opens one (the foreign key on runs
        // may abort it), and in a temporary file its page copies were half of log-batch's SQLite CPU (measured:
        // 5.6 ms a 1,000-point batch with a file, 3.0 ms in memory).
        pragmas.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
        pragmas.ExecuteNonQuery();
        SqliteDialect.RegisterFunctions(connection);
        return connection;
    }
}
