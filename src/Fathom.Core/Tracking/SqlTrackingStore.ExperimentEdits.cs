using System.Data.Common;

namespace Fathom.Tracking;

internal abstract partial class SqlTrackingStore
{
    public async Task RenameExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken)
    {
        TrackingValidation.ValidateExperimentName(newName);
        var id = ParseExperimentId(experimentId);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await ExperimentStageAsync(connection, transaction, id, experimentId, cancellationToken) != LifecycleStage.Active)
        {
            // MLflow answers this one with INVALID_STATE (HTTP 500), not a 400.
            throw new TrackingException(ErrorCode.InvalidState, "Cannot rename a non-active experiment.");
        }

        try
        {
            await using (var clash = Command(connection, transaction, "SELECT 1 FROM experiments WHERE name = $1 AND experiment_id <> $2;", newName, id))
            {
                if (await clash.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    throw ExperimentExists(newName);
                }
            }

            await using var update = Command(connection, transaction, "UPDATE experiments SET name = $1, last_update_time = $2 WHERE experiment_id = $3;", newName, NowMs(), id);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw ExperimentExists(newName);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingValidation.ValidateKey(tag.Key, "tag");
        TrackingValidation.ValidateLength(tag.Value, TrackingValidation.MaxExperimentTagValueLength, "tag", tag.Key);
        var id = ParseExperimentId(experimentId);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveExperimentAsync(connection, transaction, id, experimentId, cancellationToken);
        await UpsertExperimentTagAsync(connection, transaction, id, tag, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken cancellationToken)
    {
        var id = ParseExperimentId(experimentId);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveExperimentAsync(connection, transaction, id, experimentId, cancellationToken);
        await using (var delete = Command(connection, transaction, "DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2;", id, key))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No tag with name: {key} in experiment with id {experimentId}");
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task RequireActiveExperimentAsync(DbConnection connection, DbTransaction transaction, long id, string experimentId, CancellationToken cancellationToken)
    {
        var stage = await ExperimentStageAsync(connection, transaction, id, experimentId, cancellationToken);
        if (stage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {experimentId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    private async Task<string> ExperimentStageAsync(DbConnection connection, DbTransaction transaction, long id, string experimentId, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, transaction, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = $1;", id);
        return await read.ExecuteScalarAsync(cancellationToken) as string
            ?? throw TrackingException.NotFound($"No Experiment with id={experimentId} exists");
    }
}
