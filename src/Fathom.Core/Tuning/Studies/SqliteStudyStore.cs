using System.Data.Common;
using Fathom.Tracking;
using Microsoft.Data.Sqlite;

namespace Fathom.Tuning;

/// <summary>
/// Studies in the SQLite tracking database. Many processes share one file: writes take the write lock at the start
/// (<c>BEGIN IMMEDIATE</c>, so a transaction never has to upgrade a read lock, which fails at once when another writer
/// holds it); the store's writers of all processes queue for it on a kernel lock (<see cref="WriterQueue"/>), and any
/// other writer (a run being logged) is waited for inside SQLite (<c>busy_timeout</c>), never failing with "database is
/// locked"; WAL lets readers work while one writer commits; transactions are a few statements long.
/// </summary>
internal sealed class SqliteStudyStore : StudyStore
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;

    private readonly string _connectionString;
    private readonly WriterQueue? _writers;

    private SqliteStudyStore(string connectionString, string location, TimeProvider time)
        : base(SqliteDialect.Instance, time, location)
    {
        _connectionString = connectionString;
        _writers = WriterQueue.For(location);
    }

    protected override WriterQueue? Writers => _writers;

    // The driver refuses to bind NaN, and SQLite would store it as NULL anyway: NULL reads back as NaN.
    protected override object Stored(double value) => double.IsNaN(value) ? DBNull.Value : value;

    /// <summary>Opens the studies in the SQLite store at <paramref name="location"/>, creating or upgrading its schema first.</summary>
    public static async Task<StudyStore> OpenAsync(StoreLocation location, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(time);
        var path = location.DatabasePath ?? throw new ArgumentException($"{location} is not a SQLite store.", nameof(location));
        // The study tables come with the tracking schema: opening the tracking store creates or migrates it.
        await using (SqliteTrackingStore.Open(path, location.ArtifactRoot, time))
        {
        }

        cancellationToken.ThrowIfCancellationRequested();
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = 120,
        }.ToString();
        return new SqliteStudyStore(connectionString, path, time);
    }

    public override async ValueTask DisposeAsync()
    {
        _writers?.Dispose();
        SqliteConnection.ClearAllPools();
        await base.DisposeAsync();
    }

    protected override ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // busy_timeout: a writer waits up to a minute for another process's transaction instead of failing with
        // SQLITE_BUSY ("database is locked"); SQLite's own handler sleeps 1, 2, 5, 10… ms between tries.
        pragmas.CommandText = "PRAGMA busy_timeout=60000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        pragmas.ExecuteNonQuery();
        return ValueTask.FromResult<DbConnection>(connection);
    }

    protected override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    protected override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: SqliteConstraint };

    protected override bool IsTransient(DbException exception) => exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };
}
