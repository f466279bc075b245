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
/// retried. Each write is one batch — one round trip,
/// one implicit transaction — and a claim commits without waiting for the disk (see <see cref="ClaimBatch"/>); every other
/// write waits as usual.
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

    // One round trip: relax this transaction's commit, then take the oldest queued trial or number and insert a new one
    // within the budget. The claim holds the study's row lock until it commits, so waiting there for the log to reach the
    // disk would serialise every worker on the disk; it need not: a claim matters only once the trial's first durable
    // write (its params) commits, whose flush carries the claim with it, and a claim lost in a crash before that leaves
    // nothing behind that refers to it. set_config(…, true) is SET LOCAL without its warning outside BEGIN: the batch is
    // one implicit transaction.
    protected override IReadOnlyList<Statement> ClaimBatch(long studyId, string worker, long now, long maxTrials) =>
    [
        new("SELECT set_config('synchronous_commit', 'off', true);"),
        new("""
            WITH waiting AS (
                UPDATE tuning_trials SET state = 0, worker = $2, heartbeat = $3, started_at = $3
                WHERE trial_id = (SELECT trial_id FROM tuning_trials WHERE study_id = $1 AND state = 4 ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = 4
                RETURNING trial_id, number),
            numbered AS (
                UPDATE tuning_studies SET next_number = next_number + 1
                WHERE study_id = $1 AND next_number - requeued < $4 AND NOT EXISTS (SELECT 1 FROM waiting)
                RETURNING next_number - 1 AS number),
            created AS (
                INSERT INTO tuning_trials (study_id, number, state, worker, heartbeat, started_at)
                SELECT $1, number, 0, $2, $3, $3 FROM numbered
                RETURNING trial_id, number)
            SELECT trial_id, number, 1 FROM waiting UNION ALL SELECT trial_id, number, 0 FROM created;
            """, studyId, worker, now, maxTrials),
    ];

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    protected override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // Only errors the server answers with a rolled-back transaction: a lost connection may have lost the commit's answer
    // after the commit, and running a claim again would then make a second trial.
    protected override bool IsTransient(DbException exception) => exception is PostgresException
    {
        SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable,
    };
}
