using System.Globalization;
using Fathom.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fathom.Tracking;

/// <summary>
/// The embedded tracking store: one SQLite file in WAL mode. Every operation takes a pooled connection, and
/// every multi-row change runs in one transaction, so a crash never leaves half a batch behind.
/// </summary>
internal sealed partial class SqliteTrackingStore : ITrackingStore, IModelRegistryProvider, IDatasetSummaries
{
    private readonly string _connectionString;
    private readonly string _defaultArtifactRoot;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private SqliteTrackingStore(string connectionString, string defaultArtifactRoot, TimeProvider time)
    {
        _connectionString = connectionString;
        _defaultArtifactRoot = defaultArtifactRoot;
        _time = time;
        // Random.Shared: runs are created concurrently, and a plain Random is not thread-safe.
        _random = Random.Shared;
        ModelRegistry = new SqliteModelRegistryStore(OpenConnection, time);
    }

    /// <summary>The model registry in the same database.</summary>
    public IModelRegistryStore ModelRegistry { get; }

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

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // NORMAL is durable in WAL mode except for the last commits before a power loss (not a process crash);
        // foreign keys are off by default in SQLite and must be asked for on each connection.
        pragmas.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        pragmas.ExecuteNonQuery();
        SqliteDialect.RegisterFunctions(connection);
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static long ParseExperimentId(string experimentId)
    {
        if (!long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
        }

        return id;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
