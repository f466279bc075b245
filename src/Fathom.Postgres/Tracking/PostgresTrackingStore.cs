using System.Globalization;
using Fathom.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Fathom.Tracking;

/// <summary>
/// The tracking store on PostgreSQL. Same rules as the SQLite store (MLflow's); every multi-row change is one
/// transaction, and metric points are appended with one array-parameter INSERT per batch.
/// </summary>
internal sealed partial class PostgresTrackingStore : ITrackingStore, IModelRegistryProvider, IDatasetSummaries
{
    private const string ExperimentColumns = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";
    private const string RunColumns = "run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _defaultArtifactRoot;
    private readonly TimeProvider _time;
    // Random.Shared: runs are created concurrently, and a plain Random is not thread-safe.
    private readonly Random _random = Random.Shared;

    private PostgresTrackingStore(NpgsqlDataSource dataSource, string defaultArtifactRoot, TimeProvider time)
    {
        _dataSource = dataSource;
        _defaultArtifactRoot = defaultArtifactRoot;
        _time = time;
        ModelRegistry = new PostgresModelRegistryStore(dataSource, time);
    }

    /// <summary>The model registry in the same database.</summary>
    public IModelRegistryStore ModelRegistry { get; }

    /// <summary>Connects to <paramref name="uri"/> and migrates the schema.</summary>
    public static Task<PostgresTrackingStore> OpenAsync(string uri, string defaultArtifactRoot, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(uri, defaultArtifactRoot, time, null, cancellationToken);

    /// <summary>Connects to <paramref name="uri"/> and migrates the schema, reporting an upgrade's long steps on <paramref name="logger"/>.</summary>
    public static async Task<PostgresTrackingStore> OpenAsync(string uri, string defaultArtifactRoot, TimeProvider time, ILogger? logger, CancellationToken cancellationToken)
    {
        var dataSource = NpgsqlDataSource.Create(PostgresConnectionString.FromUri(uri));
        var store = new PostgresTrackingStore(dataSource, defaultArtifactRoot, time);
        await PostgresSchema.MigrateAsync(dataSource, store.NowMs(), defaultArtifactRoot, PostgresSchema.LatestVersion, time, logger ?? NullLogger.Instance, cancellationToken);
        return store;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    private static long? ParseId(string experimentId) =>
        long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        TrackingValidation.ValidateExperimentName(name);
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            TrackingValidation.ValidateKey(tag.Key, "tag");
            TrackingValidation.ValidateLength(tag.Value, TrackingValidation.MaxExperimentTagValueLength, "tag", tag.Key);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = NowMs();
        long id;
        try
        {
            await using var insert = Command(connection, """
                INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES ($1, '', 'active', $2, $2) RETURNING experiment_id;
                """, transaction, name, now);
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new TrackingException(ErrorCode.ResourceAlreadyExists, $"Experiment '{name}' already exists.");
        }

        var location = string.IsNullOrEmpty(artifactLocation) ? ArtifactLocations.Join(_defaultArtifactRoot, Id(id)) : artifactLocation;
        await using (var update = Command(connection, "UPDATE experiments SET artifact_location = $1 WHERE experiment_id = $2;", transaction, location, id))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var tag in tags)
        {
            await using var insertTag = Command(connection, """
                INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3)
                ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value;
                """, transaction, id, tag.Key, tag.Value);
            await insertTag.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return Id(id);
    }

    public async Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        if (ParseId(experimentId) is not { } id)
        {
            return null;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await ReadExperimentsAsync(connection, null, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $1;", [id], cancellationToken)).SingleOrDefault();
    }

    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await ReadExperimentsAsync(connection, null, $"SELECT {ExperimentColumns} FROM experiments WHERE name = $1;", [name], cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(ViewType viewType, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var where = viewType switch
        {
            ViewType.ActiveOnly => "WHERE lifecycle_stage = 'active'",
            ViewType.DeletedOnly => "WHERE lifecycle_stage = 'deleted'",
            _ => string.Empty,
        };
        return await ReadExperimentsAsync(connection, null, $"SELECT {ExperimentColumns} FROM experiments {where} ORDER BY experiment_id;", [], cancellationToken);
    }

    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        SetExperimentStageAsync(experimentId, LifecycleStage.Deleted, cancellationToken);

    public Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        SetExperimentStageAsync(experimentId, LifecycleStage.Active, cancellationToken);

    private async Task SetExperimentStageAsync(string experimentId, string stage, CancellationToken cancellationToken)
    {
        var id = ParseId(experimentId) ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = NowMs();
        // Only an active experiment can be deleted and only a deleted one restored; otherwise "not found" (MLflow's SQL store).
        await using (var update = Command(connection, "UPDATE experiments SET lifecycle_stage = $1, last_update_time = $2 WHERE experiment_id = $3 AND lifecycle_stage != $1;", transaction, stage, now, id))
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
            }
        }

        await using (var runs = Command(connection, "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE experiment_id = $3;", transaction,
            stage, stage == LifecycleStage.Deleted ? now : null, id))
        {
            await runs.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<List<Experiment>> ReadExperimentsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, object[] parameters, CancellationToken cancellationToken)
    {
        var rows = new List<(long Id, string Name, string Location, string Stage, long Created, long Updated)>();
        await using (var command = Command(connection, sql, transaction, parameters))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
            }
        }

        var tags = new Dictionary<long, List<Tag>>();
        if (rows.Count > 0)
        {
            await using var tagCommand = Command(connection, "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY($1) ORDER BY experiment_id, key;",
                transaction, rows.Select(r => r.Id).ToArray());
            await using var reader = await tagCommand.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                if (!tags.TryGetValue(id, out var list))
                {
                    tags[id] = list = [];
                }

                list.Add(new Tag(reader.GetString(1), reader.GetString(2)));
            }
        }

        return rows.Select(r => new Experiment(Id(r.Id), r.Name, r.Location, r.Stage, r.Created, r.Updated, tags.GetValueOrDefault(r.Id) ?? [])).ToList();
    }
}
