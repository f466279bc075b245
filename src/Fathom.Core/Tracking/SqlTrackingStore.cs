using System.Data.Common;
using System.Globalization;
using Fathom.Registry;

namespace Fathom.Tracking;

/// <summary>
/// The tracking store on a SQL database, written once against ADO.NET for SQLite and PostgreSQL as the registry is
/// (<see cref="SqlModelRegistryStore"/>): MLflow's rules live here, so the backends cannot drift apart. A backend opens
/// connections, recognises its unique-key error and brings its fast paths — appending a batch's metric points and, where
/// its driver reads faster than ADO.NET, a metric's history; where the SQL differs, <see cref="Dialect"/> spells it.
/// Every multi-row change is one transaction, so a crash never leaves half a batch behind.
/// </summary>
/// <remarks>
/// Fixed statements mark their parameters <c>$1</c>, <c>$2</c>, …: PostgreSQL's positional markers, and names SQLite
/// binds (it reads <c>$</c> followed by an identifier as a named parameter), so one text serves both.
/// </remarks>
internal abstract partial class SqlTrackingStore : ITrackingStore, IModelRegistryProvider, IDatasetSummaries
{
    private const string ExperimentColumns = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";
    private const string RunColumns = "run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage";

    // Markers $1 … $n, made once: commands are built on every call.
    private static readonly string[] Markers = [.. Enumerable.Range(1, 16).Select(i => "$" + i.ToString(CultureInfo.InvariantCulture))];

    private readonly string _defaultArtifactRoot;
    private readonly TimeProvider _time;
    // Random.Shared: runs are created concurrently, and a plain Random is not thread-safe.
    private readonly Random _random = Random.Shared;
    private readonly SemaphoreSlim? _writeGate;

    protected SqlTrackingStore(SqlDialect dialect, string defaultArtifactRoot, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(time);
        Dialect = dialect;
        _defaultArtifactRoot = defaultArtifactRoot;
        _time = time;
        _writeGate = dialect.SingleWriter ? new SemaphoreSlim(1, 1) : null;
    }

    /// <summary>The model registry in the same database.</summary>
    public abstract IModelRegistryStore ModelRegistry { get; }

    /// <summary>The database's spelling of what differs between engines.</summary>
    protected SqlDialect Dialect { get; }

    /// <summary>Opens a connection ready for use (pragmas applied, functions registered).</summary>
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>True when the database refused a row for a duplicate key.</summary>
    protected abstract bool IsUniqueViolation(DbException exception);

    /// <summary>
    /// The backend's fast path for a batch's points: reads the run's lifecycle stage (locking the run's row where
    /// writers run at once) and, only when it is active, appends the points to <c>metrics</c> and moves each key's
    /// <c>latest_metrics</c> row forward (the maximum of step, timestamp, value: MLflow's rule). Without
    /// <paramref name="transaction"/> (only when <see cref="SqlDialect.BatchIsOneTransaction"/>) the work must be one batch.
    /// Without <paramref name="ignoreStored"/> a point already stored may fail with a unique violation; the batch is
    /// then sent again ignoring stored points, as MLflow ignores an exact repeat.
    /// </summary>
    /// <returns>The run's lifecycle stage, or null when there is no such run.</returns>
    protected abstract Task<string?> AppendMetricsAsync(
        DbConnection connection, DbTransaction? transaction, string runId, IReadOnlyList<Metric> metrics, bool ignoreStored, CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        _writeGate?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

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

    /// <summary>A command over a built query, its parameters bound under the dialect's names.</summary>
    private DbCommand Command(DbConnection connection, SqlQuery query)
    {
        var command = Command(connection, null, query.Sql);
        foreach (var (name, value) in query.Parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = Dialect.BindName(name);
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static long ParseExperimentId(string experimentId) =>
        long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
