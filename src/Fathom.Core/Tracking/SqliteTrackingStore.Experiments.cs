using Microsoft.Data.Sqlite;

namespace Fathom.Tracking;

internal sealed partial class SqliteTrackingStore
{
    private const string ExperimentColumns = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";

    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        TrackingValidation.ValidateExperimentName(name);
        foreach (var tag in tags)
        {
            TrackingValidation.ValidateKey(tag.Key, "tag");
            TrackingValidation.ValidateLength(tag.Value, TrackingValidation.MaxExperimentTagValueLength, "tag", tag.Key);
        }

        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = NowMs();
        await using (var exists = Command(connection, "SELECT 1 FROM experiments WHERE name = $name;", transaction))
        {
            exists.Parameters.AddWithValue("$name", name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                throw new TrackingException(ErrorCode.ResourceAlreadyExists, $"Experiment(name={name}) already exists.");
            }
        }

        long id;
        await using (var insert = Command(connection, """
            INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
            VALUES ($name, '', 'active', $now, $now) RETURNING experiment_id;
            """, transaction))
        {
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$now", now);
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        // The location depends on the id, as in MLflow: <default root>/<experiment id> unless one was given.
        var location = string.IsNullOrEmpty(artifactLocation) ? ArtifactLocations.Join(_defaultArtifactRoot, Id(id)) : artifactLocation;
        await using (var update = Command(connection, "UPDATE experiments SET artifact_location = $loc WHERE experiment_id = $id;", transaction))
        {
            update.Parameters.AddWithValue("$loc", location);
            update.Parameters.AddWithValue("$id", id);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var tag in tags)
        {
            await using var insertTag = Command(connection, """
                INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($id, $k, $v)
                ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value;
                """, transaction);
            insertTag.Parameters.AddWithValue("$id", id);
            insertTag.Parameters.AddWithValue("$k", tag.Key);
            insertTag.Parameters.AddWithValue("$v", tag.Value);
            await insertTag.ExecuteNonQueryAsync(cancellationToken);
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

        await using var connection = OpenConnection();
        return (await ReadExperimentsAsync(connection, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $p;", id, cancellationToken)).SingleOrDefault();
    }

    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        return (await ReadExperimentsAsync(connection, $"SELECT {ExperimentColumns} FROM experiments WHERE name = $p;", name, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(ViewType viewType, CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        var where = viewType switch
        {
            ViewType.ActiveOnly => "WHERE lifecycle_stage = 'active'",
            ViewType.DeletedOnly => "WHERE lifecycle_stage = 'deleted'",
            _ => string.Empty,
        };
        return await ReadExperimentsAsync(connection, $"SELECT {ExperimentColumns} FROM experiments {where} ORDER BY experiment_id;", null, cancellationToken);
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
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = NowMs();
        await using (var update = Command(connection, "UPDATE experiments SET lifecycle_stage = $s, last_update_time = $now WHERE experiment_id = $id AND lifecycle_stage != $s;", transaction))
        {
            update.Parameters.AddWithValue("$s", stage);
            update.Parameters.AddWithValue("$now", now);
            update.Parameters.AddWithValue("$id", id);
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
            }
        }

        await using (var runs = Command(connection, "UPDATE runs SET lifecycle_stage = $s, deleted_time = $deleted WHERE experiment_id = $id;", transaction))
        {
            runs.Parameters.AddWithValue("$s", stage);
            runs.Parameters.AddWithValue("$deleted", stage == LifecycleStage.Deleted ? now : DBNull.Value);
            runs.Parameters.AddWithValue("$id", id);
            await runs.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<Experiment>> ReadExperimentsAsync(
        SqliteConnection connection, string sql, object? parameter, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = Command(connection, sql, transaction);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("$p", parameter);
        }

        return await ReadExperimentsAsync(connection, command, transaction, cancellationToken);
    }

    private static async Task<IReadOnlyList<Experiment>> ReadExperimentsAsync(
        SqliteConnection connection, SqliteCommand command, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = new List<(long Id, string Name, string Location, string Stage, long Created, long Updated)>();
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
            }
        }

        var tags = new Dictionary<long, List<Tag>>();
        if (rows.Count > 0)
        {
            await using var tagCommand = Command(connection, rows.Count == 1
                ? "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = $id ORDER BY key;"
                : "SELECT experiment_id, key, value FROM experiment_tags ORDER BY experiment_id, key;", transaction);
            tagCommand.Parameters.AddWithValue("$id", rows[0].Id);
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
