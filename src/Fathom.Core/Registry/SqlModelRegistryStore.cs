using System.Data.Common;
using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// The model registry on a SQL database, written once against ADO.NET for SQLite and PostgreSQL (the subclasses
/// only open connections and recognise their unique-key error): the rules are MLflow's SQL registry store's, so
/// the two backends cannot drift apart. Every change is one transaction; reads assemble whole entities.
/// </summary>
internal abstract partial class SqlModelRegistryStore : IModelRegistryStore
{
    private readonly TimeProvider _time;

    protected SqlModelRegistryStore(TimeProvider time, SqlDialect dialect)
    {
        _time = time;
        Dialect = dialect;
    }

    /// <summary>The database's spelling of searches, parameters and row locks (the tracking store's dialect).</summary>
    protected SqlDialect Dialect { get; }

    /// <summary>Opens a connection ready for use (pragmas applied).</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>True when the database refused a row for a duplicate key.</summary>
    protected abstract bool IsUniqueViolation(DbException exception);

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await work(connection);
    }

    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, SqlQuery query)
    {
        var command = Command(connection, transaction, sql);
        foreach (var (name, value) in query.Parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = Dialect.BindName(name);
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// Fails with MLflow's 404 unless the model exists; inside a write, locks its row where writers run at once
    /// (PostgreSQL), so two concurrent registrations cannot compute the same next version number.
    /// </summary>
    private async Task RequireModelAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        var sql = "SELECT name FROM registered_models WHERE name = @name" + (transaction is null ? string.Empty : Dialect.RowLock);
        if (await ScalarAsync(connection, transaction, sql, cancellationToken, ("@name", name)) is null)
        {
            throw RegistryErrors.ModelNotFound(name);
        }
    }

    /// <summary>Fails with MLflow's 404 unless the version exists and is not deleted.</summary>
    private async Task RequireVersionAsync(DbConnection connection, DbTransaction transaction, string name, long version, CancellationToken cancellationToken)
    {
        await RequireModelAsync(connection, transaction, name, cancellationToken);
        var found = await ScalarAsync(connection, transaction, "SELECT version FROM model_versions WHERE name = @name AND version = @version AND current_stage <> @deleted;",
            cancellationToken, ("@name", name), ("@version", version), ("@deleted", ModelStages.DeletedInternal));
        if (found is null)
        {
            throw RegistryErrors.VersionNotFound(name, version);
        }
    }

    private static async Task TouchModelAsync(DbConnection connection, DbTransaction transaction, string name, long now, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @now WHERE name = @name;", cancellationToken, ("@now", now), ("@name", name));
}
