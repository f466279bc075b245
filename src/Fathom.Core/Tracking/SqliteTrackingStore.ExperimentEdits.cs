using Microsoft.Data.Sqlite;

namespace Fathom.Tracking;

internal sealed partial class SqliteTrackingStore
{
    public async Task RenameExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken)
    {
        TrackingValidation.ValidateExperimentName(newName);
        var id = ParseExperimentId(experimentId);
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var stage = await ExperimentStageAsync(connection, transaction, id, experimentId, cancellationToken);
        if (stage != LifecycleStage.Active)
        {
            // MLflow answers this one with INVALID_STATE (HTTP 500), not a 400.
            throw new TrackingException(ErrorCode.InvalidState, "Cannot rename a non-active experiment.");
        }

        await using (var clash = Command(connection, "SELECT 1 FROM experiments WHERE name = $name AND experiment_id != $id;", transaction))
        {
            clash.Parameters.AddWithValue("$name", newName);
            clash.Parameters.AddWithValue("$id", id);
            if (await clash.ExecuteScalarAsync(cancellationToken) is not null)
            {
                throw new TrackingException(ErrorCode.ResourceAlreadyExists, $"Experiment(name={newName}) already exists.");
            }
        }

        await using (var update = Command(connection, "UPDATE experiments SET name = $name, last_update_time = $now WHERE experiment_id = $id;", transaction))
        {
            update.Parameters.AddWithValue("$name", newName);
            update.Parameters.AddWithValue("$now", NowMs());
            update.Parameters.AddWithValue("$id", id);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingValidation.ValidateKey(tag.Key, "tag");
        TrackingValidation.ValidateLength(tag.Value, TrackingValidation.MaxExperimentTagValueLength, "tag", tag.Key);
        var id = ParseExperimentId(experimentId);
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveExperimentAsync(connection, transaction, id, experimentId, cancellationToken);
        await using (var upsert = Command(connection, """
            INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($id, $k, $v)
            ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value;
            """, transaction))
        {
            upsert.Parameters.AddWithValue("$id", id);
            upsert.Parameters.AddWithValue("$k", tag.Key);
            upsert.Parameters.AddWithValue("$v", tag.Value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken cancellationToken)
    {
        var id = ParseExperimentId(experimentId);
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveExperimentAsync(connection, transaction, id, experimentId, cancellationToken);
        await using (var delete = Command(connection, "DELETE FROM experiment_tags WHERE experiment_id = $id AND key = $k;", transaction))
        {
            delete.Parameters.AddWithValue("$id", id);
            delete.Parameters.AddWithValue("$k", key);
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No tag with name: {key} in experiment with id {experimentId}");
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task RequireActiveExperimentAsync(SqliteConnection connection, SqliteTransaction transaction, long id, string experimentId, CancellationToken cancellationToken)
    {
        var stage = await ExperimentStageAsync(connection, transaction, id, experimentId, cancellationToken);
        if (stage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {experimentId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    private static async Task<string> ExperimentStageAsync(SqliteConnection connection, SqliteTransaction transaction, long id, string experimentId, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = $id;", transaction);
        read.Parameters.AddWithValue("$id", id);
        return await read.ExecuteScalarAsync(cancellationToken) as string
            ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
    }
}
