using System.Data.Common;

namespace Fathom.Tracking;

internal abstract partial class SqlTrackingStore
{
    public async Task<RunInfo> CreateRunAsync(CreateRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var experimentId = ParseExperimentId(request.ExperimentId);
        var (runName, tags) = RunCreation.Resolve(request, _random);

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Experiment experiment;
        await using (var read = Command(connection, transaction, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $1;", experimentId))
        {
            experiment = (await ReadExperimentsAsync(connection, transaction, read, cancellationToken)).SingleOrDefault()
                ?? throw TrackingException.NotFound($"No Experiment with id={request.ExperimentId} exists");
        }

        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {request.ExperimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }

        var runId = Guid.NewGuid().ToString("N");
        var info = new RunInfo(runId, runName, request.ExperimentId, request.UserId, RunStatus.Running, request.StartTime, null,
            ArtifactLocations.ForRun(experiment.ArtifactLocation, runId), LifecycleStage.Active);
        await using (var insert = Command(connection, transaction, """
            INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
            VALUES ($1, $2, $3, $4, 'RUNNING', $5, NULL, 'active', $6);
            """, runId, runName, experimentId, request.UserId, request.StartTime, info.ArtifactUri))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {RunColumns} FROM runs WHERE run_uuid = $1;", runId);
        var infos = await ReadRunInfosAsync(command, cancellationToken);
        return infos.Count == 0 ? null : (await AttachDataAsync(connection, infos, cancellationToken))[0];
    }

    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await using (var update = Command(connection, transaction, """
            UPDATE runs SET status = COALESCE($1, status), end_time = COALESCE($2, end_time), name = COALESCE($3, name) WHERE run_uuid = $4;
            """, status?.ToWire(), endTime, string.IsNullOrEmpty(runName) ? null : runName, runId))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (!string.IsNullOrEmpty(runName))
        {
            await UpsertTagsAsync(connection, transaction, runId, [new Tag(SystemTags.RunName, runName)], cancellationToken);
        }

        await using var read = Command(connection, transaction, $"SELECT {RunColumns} FROM runs WHERE run_uuid = $1;", runId);
        var info = (await ReadRunInfosAsync(read, cancellationToken))[0];
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, LifecycleStage.Deleted, cancellationToken);

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, LifecycleStage.Active, cancellationToken);

    private async Task SetRunStageAsync(string runId, string stage, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var update = Command(connection, null, "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE run_uuid = $3;",
            stage, stage == LifecycleStage.Deleted ? NowMs() : null, runId);
        if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw TrackingException.NotFound($"Run with id={runId} not found");
        }
    }

    /// <summary>
    /// The run's lifecycle stage, or null when there is no such run. Inside a write it locks the run's row where writers
    /// run at once (PostgreSQL), serialising a run's writers as SQLite's single writer does and holding the run in place
    /// until the commit: metrics has no foreign key to runs, this lock is what ties points to a live run.
    /// </summary>
    protected async Task<string?> RunStageAsync(DbConnection connection, DbTransaction? transaction, string runId, CancellationToken cancellationToken)
    {
        var sql = "SELECT lifecycle_stage FROM runs WHERE run_uuid = $1" + (transaction is null ? string.Empty : Dialect.RowLock) + ";";
        await using var command = Command(connection, transaction, sql, runId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private async Task RequireActiveRunAsync(DbConnection connection, DbTransaction transaction, string runId, CancellationToken cancellationToken) =>
        RequireActive(runId, await RunStageAsync(connection, transaction, runId, cancellationToken));

    private static void RequireActive(string runId, string? stage)
    {
        if (stage is null)
        {
            throw TrackingException.NotFound($"Run with id={runId} not found");
        }

        if (stage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The run {runId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    /// <summary>The runs <paramref name="command"/> selects (<see cref="RunColumns"/>, in that order).</summary>
    private static async Task<List<RunInfo>> ReadRunInfosAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var infos = new List<RunInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            infos.Add(new RunInfo(
                reader.GetString(0),
                reader.GetString(1),
                Id(reader.GetInt64(2)),
                reader.GetString(3),
                RunStatusNames.Parse(reader.GetString(4)) ?? RunStatus.Running,
                reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.GetString(7),
                reader.GetString(8)));
        }

        return infos;
    }
}
