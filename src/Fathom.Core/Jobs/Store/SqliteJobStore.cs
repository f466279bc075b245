using System.Data.Common;
using Fathom.Tracking;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fathom.Jobs;

/// <summary>The job store in the SQLite tracking database (same file, same migrations, same pragmas).</summary>
internal sealed class SqliteJobStore : SqlJobStore
{
    private readonly string _connectionString;

    private SqliteJobStore(string connectionString, TimeProvider time)
        : base(SqliteDialect.Instance, time) => _connectionString = connectionString;

    /// <summary>Opens (creating and migrating if needed) the database of <paramref name="location"/>.</summary>
    public static SqliteJobStore Open(StoreLocation location, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(time);
        var full = Path.GetFullPath(location.DatabasePath!);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        var store = new SqliteJobStore(connectionString, time);
        using var connection = store.Open();
        SqliteSchema.Migrate(connection, time.GetUtcNow().ToUnixTimeMilliseconds(), location.ArtifactRoot, SqliteSchema.LatestVersion, time, NullLogger.Instance);
        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await base.DisposeAsync();
    }

    protected override ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => ValueTask.FromResult<DbConnection>(Open());

    protected override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        pragmas.ExecuteNonQuery();
        return connection;
    }
}
