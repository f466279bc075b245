using System.Data.Common;
using Fathom.Tracking;
using Microsoft.Data.Sqlite;

namespace Fathom.Registry;

/// <summary>
/// The registry in the SQLite tracking database (the tables come with the tracking schema's migrations).
/// Connections come from the tracking store, so they carry its pragmas (WAL, foreign keys on).
/// </summary>
internal sealed class SqliteModelRegistryStore(Func<SqliteConnection> openConnection, TimeProvider time)
    : SqlModelRegistryStore(time, SqliteDialect.Instance)
{
    // SQLITE_CONSTRAINT: a primary-key or unique violation.
    private const int ConstraintViolation = 19;

    protected override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => Task.FromResult<DbConnection>(openConnection());

    protected override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: ConstraintViolation };
}
