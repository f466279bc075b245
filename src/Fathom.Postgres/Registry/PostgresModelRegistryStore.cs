using System.Data.Common;
using Fathom.Tracking;
using Npgsql;

namespace Fathom.Registry;

/// <summary>
/// The registry in the PostgreSQL tracking database (the tables come with the tracking schema's migrations). The
/// rules and SQL are the shared <see cref="SqlModelRegistryStore"/>'s; PostgreSQL adds row locks on the model.
/// </summary>
internal sealed class PostgresModelRegistryStore(NpgsqlDataSource dataSource, TimeProvider time)
    : SqlModelRegistryStore(time, PostgresDialect.Instance)
{
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    protected override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
