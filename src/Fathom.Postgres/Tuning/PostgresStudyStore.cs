using System.Data;
using System.Data.Common;
using Fathom.Tracking;
using Npgsql;

namespace Fathom.Tuning;

/// <summary>
/// Studies in the PostgreSQL tracking database: the shared <see cref="StudyStore"/> over an Npgsql data source. Writers run
/// at once under READ COMMITTED: numbering a trial updates the study's row (writers of one study queue on that row lock,
/// and each sees the number its predecessor committed), claiming a queued trial takes it with <c>FOR UPDATE SKIP
/// LOCKED</c> (two workers never get the same one, nor wait on each other), and a deadlock or serialisation failure is
/// retried. Reads of a study's trials run in one REPEATABLE READ snapshot.
/// </summary>
internal sealed class PostgresStudyStore : StudyStore
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresStudyStore(NpgsqlDataSource dataSource, string location, TimeProvider time)
        : base(PostgresDialect.Instance, time, location) => _dataSource = dataSource;

    /// <summary>Connects to the database at <paramref name="location"/> and migrates its schema.</summary>
    public static async Task<StudyStore> OpenAsync(StoreLocation location, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        var dataSource = NpgsqlDataSource.Create(PostgresConnectionString.FromUri(location.Uri));
        try
        {
            await PostgresSchema.MigrateAsync(dataSource, time.GetUtcNow().ToUnixTimeMilliseconds(), location.ArtifactRoot, cancellationToken);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }

        return new PostgresStudyStore(dataSource, location.ToString(), time);
    }

    protected override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    protected override async ValueTask<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    protected override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // Only errors the server answers with a rolled-back transaction: a lost connection may have lost the commit's answer
    // after the commit, and running a claim again would then make a second trial.
    protected override bool IsTransient(DbException exception) => exception is PostgresException
    {
        SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable,
    };
}
