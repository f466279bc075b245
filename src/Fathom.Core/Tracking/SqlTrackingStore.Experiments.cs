using System.Data.Common;

namespace Fathom.Tracking;

internal abstract partial class SqlTrackingStore
{
    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        TrackingValidation.ValidateExperimentName(name);
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            TrackingValidation.ValidateKey(tag.Key, "tag");
            TrackingValidation.ValidateLength(tag.Value, TrackingValidation.MaxExperimentTagValueLength, "tag", tag.Key);
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = NowMs();
        long id;
        try
        {
            await using (var exists = Command(connection, transaction, "SELECT 1 FROM experiments WHERE name = $1;", name))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    throw ExperimentExists(name);
                }
            }

            await using var insert = Command(connection, transaction, """
                INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES ($1, '', 'active', $2, $2) RETURNING experiment_id;
                """, name, now);
            id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            // Another writer took the name between the check and the insert (PostgreSQL; SQLite writers queue).
            throw ExperimentExists(name);
        }

        // The location depends on the id, as in MLflow: <default root>/<experiment id> unless one was given.
        var location = string.IsNullOrEmpty(artifactLocation) ? ArtifactLocations.Join(_defaultArtifactRoot, Id(id)) : artifactLocation;
        await using (var update = Command(connection, transaction, "UPDATE experiments SET artifact_location = $1 WHERE experiment_id = $2;", location, id))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var tag in tags)
        {
            await UpsertExperimentTagAsync(connection, transaction, id, tag, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return Id(id);
    }

    public async Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        if (!long.TryParse(experimentId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $1;", id);
        return (await ReadExperimentsAsync(connection, null, command, cancellationToken)).SingleOrDefault();
    }

    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {ExperimentColumns} FROM experiments WHERE name = $1;", name);
        return (await ReadExperimentsAsync(connection, null, command, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(ViewType viewType, CancellationToken cancellationToken)
    {
        var where = viewType switch
        {
            ViewType.ActiveOnly => "WHERE lifecycle_stage = 'active'",
            ViewType.DeletedOnly => "WHERE lifecycle_stage = 'deleted'",
            _ => string.Empty,
        };
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {ExperimentColumns} FROM experiments {where} ORDER BY experiment_id;");
        return await ReadExperimentsAsync(connection, null, command, cancellationToken);
    }

    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        SetExperimentStageAsync(experimentId, LifecycleStage.Deleted, cancellationToken);

    public Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        SetExperimentStageAsync(experimentId, LifecycleStage.Active, cancellationToken);

    // Deleting an experiment deletes its runs; restoring it restores them (MLflow's rule). As in MLflow's SQL
    // store, only an active experiment can be deleted and only a deleted one restored; otherwise it is "not found".
    private async Task SetExperimentStageAsync(string experimentId, string stage, CancellationToken cancellationToken)
    {
        var id = ParseExperimentId(experimentId);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = NowMs();
        await using (var update = Command(connection, transaction,
            "UPDATE experiments SET lifecycle_stage = $1, last_update_time = $2 WHERE experiment_id = $3 AND lifecycle_stage <> $1;", stage, now, id))
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
            }
        }

        await using (var runs = Command(connection, transaction, "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE experiment_id = $3;",
            stage, stage == LifecycleStage.Deleted ? now : null, id))
        {
            await runs.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static TrackingException ExperimentExists(string name) =>
        new(ErrorCode.ResourceAlreadyExists, $"Experiment(name={name}) already exists.");

    private async Task UpsertExperimentTagAsync(DbConnection connection, DbTransaction transaction, long id, Tag tag, CancellationToken cancellationToken)
    {
        await using var upsert = Command(connection, transaction, """
            INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3)
            ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value;
            """, id, tag.Key, tag.Value);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The experiments <paramref name="command"/> selects (<see cref="ExperimentColumns"/>), with their tags.</summary>
    private async Task<List<Experiment>> ReadExperimentsAsync(DbConnection connection, DbTransaction? transaction, DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<(long Id, string Name, string Location, string Stage, long Created, long Updated)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
            }
        }

        var tags = new Dictionary<long, List<Tag>>();
        foreach (var slice in rows.Select(r => r.Id).Chunk(Dialect.ValuesPerList))
        {
            var q = new SqlParameters(Dialect);
            var sql = $"SELECT experiment_id, key, value FROM experiment_tags WHERE {Dialect.AnyOf(q, "experiment_id", slice)} ORDER BY experiment_id, key;";
            await using var tagCommand = Command(connection, new SqlQuery(sql, q.List));
            tagCommand.Transaction = transaction;
            await using var reader = await tagCommand.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                Add(tags, reader.GetInt64(0), new Tag(reader.GetString(1), reader.GetString(2)));
            }
        }

        return rows.Select(r => new Experiment(Id(r.Id), r.Name, r.Location, r.Stage, r.Created, r.Updated, tags.GetValueOrDefault(r.Id) ?? [])).ToList();
    }

    private static void Add<TKey, T>(Dictionary<TKey, List<T>> map, TKey key, T item)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(item);
    }
}
