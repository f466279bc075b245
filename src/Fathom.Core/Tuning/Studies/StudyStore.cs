using System.Data.Common;
using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Tuning;

/// <summary>A study as stored: its name, one direction per objective, the sampler's config (JSON) and its attributes.</summary>
internal sealed record StudyInfo(
    long StudyId, string Name, IReadOnlyList<StudyDirection> Directions, string Sampler, long CreatedAt, IReadOnlyDictionary<string, string> Attrs);

/// <summary>
/// Studies and their trials in the project's database, written once against ADO.NET for SQLite and PostgreSQL (the
/// tables come with the tracking schema's migrations): the shape of Optuna's RDB storage (studies, trials, params with
/// their distributions, values, intermediate values, user and system attributes), plus what many workers sharing one
/// study need — trial numbers allocated in the same short transaction that inserts the trial, a budget of trials checked
/// there too, WAITING trials claimed by exactly one worker, and a heartbeat per running trial so that a dead worker's
/// trials are failed and queued again. A backend opens connections, begins its write and read transactions, and names
/// its transient and unique-key errors; SQLite writes under <c>BEGIN IMMEDIATE</c> with a busy timeout (so writers queue
/// on the database lock instead of failing with "database is locked"), PostgreSQL under row locks.
/// </summary>
/// <remarks>
/// Every write re-checks that the trial is still RUNNING and owned by the writer, so a worker whose trial was failed as
/// stale (its heartbeat stopped) cannot complete it afterwards: the queued copy is the trial that counts. Statements mark
/// their parameters <c>$1</c>, <c>$2</c>, … as the tracking store's do: PostgreSQL binds them by position, SQLite by name.
/// </remarks>
internal abstract partial class StudyStore : IAsyncDisposable
{
    /// <summary>Attempts at a write that failed on a transient error (a deadlock, a serialisation failure, a busy file).</summary>
    private const int MaxAttempts = 8;

    private static readonly string[] Markers = [.. Enumerable.Range(1, 16).Select(i => "$" + i.ToString(CultureInfo.InvariantCulture))];

    // One writer at a time where the database allows only one (SQLite): this process's writers queue here, and only
    // writers of other processes wait on the file lock.
    private readonly SemaphoreSlim? _writeGate;

    protected StudyStore(SqlDialect dialect, TimeProvider time, string location)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(location);
        Dialect = dialect;
        Time = time;
        Location = location;
        _writeGate = dialect.SingleWriter ? new SemaphoreSlim(1, 1) : null;
    }

    /// <summary>Where the studies are, as may be printed (the database file, or the URI with any password hidden).</summary>
    public string Location { get; }

    /// <summary>The clock of heartbeats and trial times.</summary>
    public TimeProvider Time { get; }

    /// <summary>The database's spelling of parameters and row locks.</summary>
    protected SqlDialect Dialect { get; }

    /// <summary>What a subquery appends to take a row no other transaction holds, skipping held ones (PostgreSQL); empty where writers are serialised.</summary>
    protected virtual string SkipLocked => string.Empty;

    /// <summary>
    /// The claim as statements sent in one round trip, the last returning <c>(trial_id, number, waiting)</c> of the
    /// trial claimed (PostgreSQL: one statement that takes a queued trial or numbers and inserts a new one); null where the
    /// claim is a write transaction of several statements (SQLite, whose writers are serialised anyway).
    /// </summary>
    protected virtual IReadOnlyList<Statement>? ClaimBatch(long studyId, string worker, long now, long maxTrials) => null;

    /// <summary>A double as the driver binds it: PostgreSQL keeps NaN (an intermediate value may be NaN; a pruner prunes on it).</summary>
    protected virtual object Stored(double value) => value;

    /// <summary>Where writers of other processes queue for the database (SQLite), or null where the database queues them itself.</summary>
    protected virtual WriterQueue? Writers => null;

    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>A transaction that writes: SQLite's takes the database's write lock at once (<c>BEGIN IMMEDIATE</c>).</summary>
    protected abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    protected abstract bool IsUniqueViolation(DbException exception);

    /// <summary>True for an error that a retry of the whole transaction may not meet again (deadlock, serialisation, busy).</summary>
    protected abstract bool IsTransient(DbException exception);

    public long NowMs() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public virtual ValueTask DisposeAsync()
    {
        _writeGate?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The study with this name, created when there is none (Optuna's <c>load_if_exists=True</c>); an existing study with
    /// other directions is refused. <paramref name="attrs"/> are set on the study (upserted: the latest launch's win).
    /// </summary>
    public async Task<StudyInfo> CreateOrLoadStudyAsync(
        string name, IReadOnlyList<StudyDirection> directions, string sampler, IReadOnlyDictionary<string, string> attrs, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(directions);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(attrs);
        var existing = await GetStudyAsync(name, cancellationToken);
        if (existing is null)
        {
            try
            {
                await WriteAsync(async (connection, transaction) =>
                {
                    await using var insert = Command(connection, transaction,
                        "INSERT INTO tuning_studies (name, directions, sampler, created_at) VALUES ($1, $2, $3, $4);",
                        name, DirectionsText(directions), sampler, NowMs());
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                    return true;
                }, cancellationToken);
            }
            catch (DbException e) when (IsUniqueViolation(e))
            {
                // Another worker created it between our read and our write: load theirs.
            }

            existing = await GetStudyAsync(name, cancellationToken)
                ?? throw new InvalidOperationException($"The study '{name}' was not found right after it was created in {Location}.");
        }

        if (!existing.Directions.SequenceEqual(directions))
        {
            throw new ArgumentException(
                $"The study '{name}' in {Location} optimises [{DirectionsText(existing.Directions)}], not [{DirectionsText(directions)}]: " +
                "give another hydra.sweeper.study_name, or the directions the study was created with.");
        }

        if (attrs.Count > 0)
        {
            await WriteAsync(async (connection, transaction) =>
            {
                await UpsertAsync(connection, transaction, "tuning_study_attrs", "study_id", existing.StudyId, attrs, cancellationToken);
                return true;
            }, cancellationToken);
            var merged = new Dictionary<string, string>(existing.Attrs, StringComparer.Ordinal);
            foreach (var (key, value) in attrs)
            {
                merged[key] = value;
            }

            existing = existing with { Attrs = merged };
        }

        return existing;
    }

    /// <summary>The study with this name, or null.</summary>
    public async Task<StudyInfo?> GetStudyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var studies = await ReadStudiesAsync("WHERE name = $1", name, cancellationToken);
        return studies.Count == 0 ? null : studies[0];
    }

    /// <summary>Every study, oldest first.</summary>
    public Task<IReadOnlyList<StudyInfo>> ListStudiesAsync(CancellationToken cancellationToken) =>
        ReadStudiesAsync("", null, cancellationToken);

    private Task<IReadOnlyList<StudyInfo>> ReadStudiesAsync(string where, string? name, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StudyInfo>>(async connection =>
        {
            var rows = new List<(long Id, string Name, string Directions, string Sampler, long Created)>();
            object?[] values = name is null ? [] : [name];
            await using (var read = Command(connection, null, $"SELECT study_id, name, directions, sampler, created_at FROM tuning_studies {where} ORDER BY study_id;", values))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add((Long(reader, 0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Long(reader, 4)));
                }
            }

            var studies = new List<StudyInfo>(rows.Count);
            foreach (var row in rows)
            {
                var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
                await using (var read = Command(connection, null, "SELECT key, value FROM tuning_study_attrs WHERE study_id = $1;", row.Id))
                await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        attrs[reader.GetString(0)] = reader.GetString(1);
                    }
                }

                studies.Add(new StudyInfo(row.Id, row.Name, ParseDirections(row.Directions), row.Sampler, row.Created, attrs));
            }

            return studies;
        }, cancellationToken);

    /// <summary>The study's trials by state (trials failed and queued again count apart, as <see cref="TrialCounts.Requeued"/>).</summary>
    public Task<TrialCounts> CountTrialsAsync(long studyId, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            var counts = new int[5];
            var requeued = 0;
            await using var read = Command(connection, null,
                "SELECT state, requeued, COUNT(*) FROM tuning_trials WHERE study_id = $1 GROUP BY state, requeued;", studyId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var n = (int)Long(reader, 2);
                if (Long(reader, 1) != 0)
                {
                    requeued += n;
                }
                else
                {
                    counts[Long(reader, 0)] += n;
                }
            }

            return new TrialCounts(counts[(int)TrialState.Running], counts[(int)TrialState.Complete], counts[(int)TrialState.Pruned],
                counts[(int)TrialState.Failed], counts[(int)TrialState.Waiting], requeued);
        }, cancellationToken);

    internal static string DirectionsText(IReadOnlyList<StudyDirection> directions) =>
        string.Join(",", directions.Select(d => d == StudyDirection.Maximize ? "maximize" : "minimize"));

    private static StudyDirection[] ParseDirections(string text) =>
        [.. text.Split(',').Select(d => d == "maximize" ? StudyDirection.Maximize : StudyDirection.Minimize)];

    /// <summary>One statement of a write and the values its markers stand for.</summary>
    protected sealed record Statement(string Sql, params object?[] Values);

    /// <summary>Runs <paramref name="work"/> in one write transaction, again from the start after a transient error.</summary>
    protected Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RetriedAsync(async () =>
        {
            if (_writeGate is not null)
            {
                await _writeGate.WaitAsync(cancellationToken);
            }

            var queue = Writers;
            queue?.Enter();
            try
            {
                await using var connection = await OpenConnectionAsync(cancellationToken);
                await using var transaction = await BeginWriteAsync(connection, cancellationToken);
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            finally
            {
                queue?.Exit();
                _writeGate?.Release();
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Runs statements as one atomic write and returns how many rows the first one changed (later statements guard
    /// themselves on what the first one checked). Where the driver sends a batch as one implicit transaction (PostgreSQL's
    /// extended protocol, one Sync), that is one round trip; elsewhere a write transaction, stopping after a first
    /// statement that changed nothing.
    /// </summary>
    protected Task<int> WriteBatchAsync(IReadOnlyList<Statement> statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements);
        if (!Dialect.BatchIsOneTransaction)
        {
            return WriteAsync(async (connection, transaction) =>
            {
                var first = 0;
                for (var i = 0; i < statements.Count; i++)
                {
                    await using var command = Command(connection, transaction, statements[i].Sql, statements[i].Values);
                    var changed = await command.ExecuteNonQueryAsync(cancellationToken);
                    if (i == 0)
                    {
                        first = changed;
                        if (changed == 0)
                        {
                            break;
                        }
                    }
                }

                return first;
            }, cancellationToken);
        }

        return RetriedAsync(async () =>
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var batch = Batch(connection, statements);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return batch.BatchCommands[0].RecordsAffected;
        }, cancellationToken);
    }

    private Task<(long, int, bool)?> ClaimInOneRoundTripAsync(IReadOnlyList<Statement> statements, CancellationToken cancellationToken) =>
        RetriedAsync<(long, int, bool)?>(async () =>
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var batch = Batch(connection, statements);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            for (var i = 1; i < statements.Count; i++)
            {
                await reader.NextResultAsync(cancellationToken);
            }

            return await reader.ReadAsync(cancellationToken) ? (Long(reader, 0), (int)Long(reader, 1), Long(reader, 2) != 0) : null;
        }, cancellationToken);

    private DbBatch Batch(DbConnection connection, IReadOnlyList<Statement> statements)
    {
        var batch = connection.CreateBatch();
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Sql;
            for (var i = 0; i < statement.Values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = Dialect.BindName(i < Markers.Length ? Markers[i] : "$" + (i + 1).ToString(CultureInfo.InvariantCulture));
                parameter.Value = statement.Values[i] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            batch.BatchCommands.Add(command);
        }

        return batch;
    }

    // A write again from the start after a transient error, after a jittered, growing pause (Optuna retries its deadlocked
    // trial inserts after a random sleep too).
    private async Task<T> RetriedAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (DbException e) when (attempt < MaxAttempts && IsTransient(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) << Math.Min(attempt, 6)), cancellationToken);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a connection outside any transaction (single statements, each consistent).</summary>
    protected async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await work(connection);
    }

    /// <summary>A command over a fixed statement whose markers <c>$1</c> … stand for <paramref name="values"/>, in order.</summary>
    protected DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(values);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = Dialect.BindName(i < Markers.Length ? Markers[i] : "$" + (i + 1).ToString(CultureInfo.InvariantCulture));
            parameter.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>An integer column as a long, whatever width the engine gives it (SQLite's INTEGER, PostgreSQL's int4 or int8).</summary>
    protected static long Long(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
    }

    /// <summary>A nullable integer column.</summary>
    protected static long? NullableLong(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.IsDBNull(ordinal) ? null : Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
    }

    /// <summary>Sets <c>key → value</c> rows of an attribute table for one owner (a study or a trial), replacing values: one statement.</summary>
    protected async Task UpsertAsync(
        DbConnection connection, DbTransaction transaction, string table, string owner, long ownerId, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return;
        }

        var parameters = new List<object?> { ownerId };
        var rows = new List<string>(values.Count);
        foreach (var (key, value) in values)
        {
            rows.Add($"($1, ${parameters.Count + 1}, ${parameters.Count + 2})");
            parameters.Add(key);
            parameters.Add(value);
        }

        await using var upsert = Command(connection, transaction,
            $"INSERT INTO {table} ({owner}, key, value) VALUES {string.Join(", ", rows)} ON CONFLICT ({owner}, key) DO UPDATE SET value = excluded.value;",
            [.. parameters]);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>How many of a study's trials are in each state; <see cref="Requeued"/> failed trials were queued again as new ones.</summary>
internal sealed record TrialCounts(int Running, int Complete, int Pruned, int Failed, int Waiting, int Requeued)
{
    /// <summary>Trials that count toward <c>n_trials</c>: all but those replaced by a queued copy.</summary>
    public int Counted => Running + Complete + Pruned + Failed + Waiting;

    public int Finished => Complete + Pruned + Failed;
}
