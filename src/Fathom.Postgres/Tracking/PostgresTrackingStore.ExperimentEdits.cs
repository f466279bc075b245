using Npgsql;

namespace Fathom.Tracking;

internal sealed partial class PostgresTrackingStore
{
    public async Task RenameExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken)
    {
        TrackingValidation.ValidateExperimentName(newName);
        var id = ParseId(experimentId) ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await ExperimentStageAsync(connection, transaction, id, experimentId, cancellationToken) != LifecycleStage.Active)
        {
            // MLflow answers this one with INVALID_STATE (HTTP 500), not a 400.
            throw new TrackingException(ErrorCode.InvalidState, "Cannot rename a non-active experiment.");
        }

        try
        {
            await using var update = Command(connection, "UPDATE experiments SET name = $1, last_update_time = $2 WHERE experiment_id = $3;", transaction, newName, NowMs(), id);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new TrackingException(ErrorCode.ResourceAlreadyExists, $"Experiment(name={newName}) already exists.");
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingValidation.ValidateKey(tag.Key, "tag");
        TrackingValidation.ValidateLength(tag.Value, TrackingValidation.MaxExperimentTagValueLength, "tag", tag.Key);
        var id = ParseId(experimentId) ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveExperimentAsync(connection, transaction, id, experimentId, cancellationToken);
        await using (var upsert = Command(connection, """
            INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value;
            """, transaction, id, tag.Key, tag.Value))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken cancellationToken)
    {
        var id = ParseId(experimentId) ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveExperimentAsync(connection, transaction, id, experimentId, cancellationToken);
        await using (var delete = Command(connection, "DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2;", transaction, id, key))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No tag with name: {key} in experiment with id {experimentId}");
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task RequireActiveExperimentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, string experimentId, CancellationToken cancellationToken)
    {
        var stage = await ExperimentStageAsync(connection, transaction, id, experimentId, cancellationToken);
        if (stage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {experimentId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    private static async Task<string> ExperimentStageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, string experimentId, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = $1;", transaction, id);
        return await read.ExecuteScalarAsync(cancellationToken) as string ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
    }
}
