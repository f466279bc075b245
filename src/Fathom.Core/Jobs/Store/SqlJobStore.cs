using System.Data.Common;
using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Jobs;

/// <summary>
/// The job store on a SQL database, written once against ADO.NET for SQLite and PostgreSQL as the tracking and registry
/// stores are: the lifecycle rules live here, a backend only opens connections and recognises its unique-key error.
/// A status change reads the run's row (locked where writers run at once), checks the move, and writes the row and the
/// status history in one transaction.
/// </summary>
/// <remarks>Statements mark parameters <c>$1</c>, <c>$2</c>, …, bound under the dialect's names (as in <see cref="SqlTrackingStore"/>).</remarks>
internal abstract class SqlJobStore : IJobStore
{
    private const string RunColumns =
        "uuid, project, name, kind, status, executor, spec_file, inputs, resolved_spec, created_at, updated_at, started_at, finished_at, exit_code, log_path, outputs_path, attempt, message, submitted_by, parent_uuid, outputs";

    private readonly TimeProvider _time;

    protected SqlJobStore(SqlDialect dialect, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(time);
        Dialect = dialect;
        _time = time;
    }

    protected SqlDialect Dialect { get; }

    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    protected abstract bool IsUniqueViolation(DbException exception);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public async Task<JobProject> CreateProjectAsync(string name, string? description, string? owner, CancellationToken cancellationToken)
    {
        ValidateProjectName(name);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        var now = NowMs();
        try
        {
            await using var insert = Command(connection, null, "INSERT INTO job_projects (name, description, created_at, owner) VALUES ($1, $2, $3, $4);", name, description, now, owner);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new TrackingException(ErrorCode.ResourceAlreadyExists, $"Project '{name}' already exists.");
        }

        return new JobProject(name, description, now, 0, owner);
    }

    public async Task<JobProject?> GetProjectAsync(string name, CancellationToken cancellationToken) =>
        (await ReadProjectsAsync("WHERE p.name = $1", [name], cancellationToken)).FirstOrDefault();

    public async Task<IReadOnlyList<JobProject>> ListProjectsAsync(CancellationToken cancellationToken) =>
        await ReadProjectsAsync("", [], cancellationToken);

    public async Task CreateRunAsync(JobRunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ValidateProjectName(run.Project);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var project = Command(connection, transaction,
            "INSERT INTO job_projects (name, description, created_at, owner) VALUES ($1, NULL, $2, $3) ON CONFLICT (name) DO NOTHING;", run.Project, run.CreatedAt, run.SubmittedBy))
        {
            await project.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var insert = Command(connection, transaction,
            $"INSERT INTO job_runs ({RunColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21);",
            run.Uuid, run.Project, run.Name, run.Kind, run.Status.Name(), run.Executor, run.SpecFile, run.InputsJson, run.ResolvedSpec,
            run.CreatedAt, run.UpdatedAt, run.StartedAt, run.FinishedAt, run.ExitCode, run.LogPath, run.OutputsPath, run.Attempt, run.Message, run.SubmittedBy, run.ParentUuid, run.OutputsJson))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await AppendStatusAsync(connection, transaction, run.Uuid, run.Status, run.CreatedAt, run.Message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> SetStatusAsync(string uuid, JobStatus status, string? message, int? exitCode, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        JobStatus current;
        await using (var read = Command(connection, transaction, "SELECT status FROM job_runs WHERE uuid = $1" + Dialect.RowLock + ";", uuid))
        {
            current = await read.ExecuteScalarAsync(cancellationToken) is string name
                ? JobStatuses.Parse(name)
                : throw TrackingException.NotFound($"No run with uuid {uuid}.");
        }

        if (!JobStatuses.CanMove(current, status))
        {
            return false;
        }

        var now = NowMs();
        await using (var update = Command(connection, transaction, """
            UPDATE job_runs SET status = $2, updated_at = $3, message = COALESCE($4, message), exit_code = COALESCE($5, exit_code),
                started_at = CASE WHEN $6 = 1 AND started_at IS NULL THEN $3 ELSE started_at END,
                finished_at = CASE WHEN $7 = 1 AND finished_at IS NULL THEN $3 ELSE finished_at END
            WHERE uuid = $1;
            """, uuid, status.Name(), now, message, exitCode, status.IsRunning() ? 1 : 0, status.IsDone() ? 1 : 0))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await AppendStatusAsync(connection, transaction, uuid, status, now, message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task NextAttemptAsync(string uuid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var update = Command(connection, null, "UPDATE job_runs SET attempt = attempt + 1, exit_code = NULL, updated_at = $2 WHERE uuid = $1;", uuid, NowMs());
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SetOutputsAsync(string uuid, string outputsJson, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var update = Command(connection, null, "UPDATE job_runs SET outputs = $2, updated_at = $3 WHERE uuid = $1;", uuid, outputsJson, NowMs());
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<JobRunRecord>> ChildrenAsync(string parentUuid, CancellationToken cancellationToken) =>
        await ReadRunsAsync("WHERE parent_uuid = $1", [parentUuid], 10_000, cancellationToken, order: "created_at, uuid");

    public async Task<JobRunRecord?> GetRunAsync(string uuidOrPrefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(uuidOrPrefix);
        var exact = await ReadRunsAsync("WHERE uuid = $1", [uuidOrPrefix], 1, cancellationToken);
        if (exact.Count > 0 || uuidOrPrefix.Length < 4 || uuidOrPrefix.Length >= 32)
        {
            return exact.FirstOrDefault();
        }

        // A prefix: uuids are hex, so a range scan on the key finds them without LIKE's escaping rules.
        var matches = await ReadRunsAsync("WHERE uuid >= $1 AND uuid < $2", [uuidOrPrefix, uuidOrPrefix + "~"], 2, cancellationToken);
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new TrackingException(ErrorCode.InvalidParameterValue, $"'{uuidOrPrefix}' is the start of more than one run's uuid; give more of it."),
        };
    }

    public async Task<IReadOnlyList<JobRunRecord>> ListRunsAsync(string? project, int limit, CancellationToken cancellationToken) =>
        project is null
            ? await ReadRunsAsync("", [], limit, cancellationToken)
            : await ReadRunsAsync("WHERE project = $1", [project], limit, cancellationToken);

    public async Task<IReadOnlyList<JobRunRecord>> PageRunsAsync(string? project, IReadOnlyCollection<JobStatus> statuses, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var (where, values) = Filter(project, statuses);
        return await ReadRunsAsync(where, values, limit, cancellationToken, offset: Math.Max(0, offset));
    }

    public async Task<IReadOnlyList<JobRunRecord>> OldestInAsync(IReadOnlyCollection<JobStatus> statuses, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var (where, values) = Filter(null, statuses);
        return await ReadRunsAsync(where, values, limit, cancellationToken, order: "created_at, uuid");
    }

    // Statuses are bound one parameter each (never spliced), the project too.
    private static (string Where, object?[] Values) Filter(string? project, IReadOnlyCollection<JobStatus> statuses)
    {
        var values = new List<object?>();
        var clauses = new List<string>();
        if (project is not null)
        {
            values.Add(project);
            clauses.Add("project = $1");
        }

        if (statuses.Count > 0)
        {
            var names = new List<string>();
            foreach (var status in statuses.Distinct())
            {
                values.Add(status.Name());
                names.Add("$" + values.Count.ToString(CultureInfo.InvariantCulture));
            }

            clauses.Add($"status IN ({string.Join(", ", names)})");
        }

        return (clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses), [.. values]);
    }

    public async Task<IReadOnlyList<JobStatusChange>> StatusesAsync(string uuid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT status, at, message FROM job_run_statuses WHERE uuid = $1 ORDER BY seq;", uuid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<JobStatusChange>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new JobStatusChange(JobStatuses.Parse(reader.GetString(0)), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return list;
    }

    public async Task<bool> DeleteRunAsync(string uuid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var statuses = Command(connection, transaction, "DELETE FROM job_run_statuses WHERE uuid = $1;", uuid))
        {
            await statuses.ExecuteNonQueryAsync(cancellationToken);
        }

        int deleted;
        await using (var run = Command(connection, transaction, "DELETE FROM job_runs WHERE uuid = $1;", uuid))
        {
            deleted = await run.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    private async Task AppendStatusAsync(DbConnection connection, DbTransaction transaction, string uuid, JobStatus status, long at, string? message, CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, transaction, """
            INSERT INTO job_run_statuses (uuid, seq, status, at, message)
            VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_run_statuses WHERE uuid = $1), $2, $3, $4);
            """, uuid, status.Name(), at, message);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<List<JobProject>> ReadProjectsAsync(string where, object?[] values, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            $"SELECT p.name, p.description, p.created_at, (SELECT COUNT(*) FROM job_runs r WHERE r.project = p.name), p.owner FROM job_projects p {where} ORDER BY p.name;", values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<JobProject>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new JobProject(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), NullableString(reader, 4)));
        }

        return list;
    }

    private async Task<List<JobRunRecord>> ReadRunsAsync(string where, object?[] values, int limit, CancellationToken cancellationToken, int offset = 0, string order = "created_at DESC, uuid")
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            $"SELECT {RunColumns} FROM job_runs {where} ORDER BY {order} LIMIT {Math.Max(1, limit).ToString(CultureInfo.InvariantCulture)} OFFSET {offset.ToString(CultureInfo.InvariantCulture)};", values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<JobRunRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new JobRunRecord(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), JobStatuses.Parse(reader.GetString(4)),
                reader.GetString(5), NullableString(reader, 6), reader.GetString(7), reader.GetString(8), reader.GetInt64(9), reader.GetInt64(10),
                reader.IsDBNull(11) ? null : reader.GetInt64(11), reader.IsDBNull(12) ? null : reader.GetInt64(12),
                reader.IsDBNull(13) ? null : Convert.ToInt32(reader.GetValue(13), CultureInfo.InvariantCulture),
                NullableString(reader, 14), NullableString(reader, 15), Convert.ToInt32(reader.GetValue(16), CultureInfo.InvariantCulture), NullableString(reader, 17),
                NullableString(reader, 18), NullableString(reader, 19), NullableString(reader, 20)));
        }

        return list;
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params object?[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = Dialect.BindName("$" + (i + 1).ToString(CultureInfo.InvariantCulture));
            parameter.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // Polyaxon's project names are slugs; the name also becomes a folder of the run's artifacts.
    private static void ValidateProjectName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || name.StartsWith('.'))
        {
            throw new TrackingException(ErrorCode.InvalidParameterValue, $"'{name}' is not a project name: letters, digits, '-', '_' and '.', at most 128, not starting with '.'.");
        }
    }
}
