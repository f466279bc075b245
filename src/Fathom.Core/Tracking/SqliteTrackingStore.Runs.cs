using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Fathom.Tracking;

internal sealed partial class SqliteTrackingStore
{
    private const string RunColumns = "run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage";

    public async Task<RunInfo> CreateRunAsync(CreateRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var experimentId = ParseExperimentId(request.ExperimentId);
        var (runName, tags) = RunCreation.Resolve(request, _random);

        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var experiment = (await ReadExperimentsAsync(connection, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $p;", experimentId, cancellationToken, transaction)).SingleOrDefault()
            ?? throw TrackingException.NotFound($"No Experiment with id={request.ExperimentId} exists");
        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {request.ExperimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }

        var runId = Guid.NewGuid().ToString("N");
        var info = new RunInfo(runId, runName, request.ExperimentId, request.UserId, RunStatus.Running, request.StartTime, null,
            ArtifactLocations.ForRun(experiment.ArtifactLocation, runId), LifecycleStage.Active);
        await using (var insert = Command(connection, """
            INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
            VALUES ($id, $name, $exp, $user, 'RUNNING', $start, NULL, 'active', $uri);
            """, transaction))
        {
            insert.Parameters.AddWithValue("$id", runId);
            insert.Parameters.AddWithValue("$name", runName);
            insert.Parameters.AddWithValue("$exp", experimentId);
            insert.Parameters.AddWithValue("$user", request.UserId);
            insert.Parameters.AddWithValue("$start", request.StartTime);
            insert.Parameters.AddWithValue("$uri", info.ArtifactUri);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        var infos = await ReadRunInfosAsync(connection, $"SELECT {RunColumns} FROM runs WHERE run_uuid = $p0;", [runId], cancellationToken);
        return infos.Count == 0 ? null : (await AttachDataAsync(connection, infos, cancellationToken))[0];
    }

    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await using (var update = Command(connection, """
            UPDATE runs SET status = COALESCE($status, status), end_time = COALESCE($end, end_time), name = COALESCE($name, name)
            WHERE run_uuid = $id;
            """, transaction))
        {
            update.Parameters.AddWithValue("$status", (object?)status?.ToWire() ?? DBNull.Value);
            update.Parameters.AddWithValue("$end", (object?)endTime ?? DBNull.Value);
            update.Parameters.AddWithValue("$name", string.IsNullOrEmpty(runName) ? DBNull.Value : runName);
            update.Parameters.AddWithValue("$id", runId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (!string.IsNullOrEmpty(runName))
        {
            await UpsertTagsAsync(connection, transaction, runId, [new Tag(SystemTags.RunName, runName)], cancellationToken);
        }

        var info = (await ReadRunInfosAsync(connection, $"SELECT {RunColumns} FROM runs WHERE run_uuid = $p0;", [runId], cancellationToken, transaction))[0];
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, LifecycleStage.Deleted, cancellationToken);

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => SetRunStageAsync(runId, LifecycleStage.Active, cancellationToken);

    private async Task SetRunStageAsync(string runId, string stage, CancellationToken cancellationToken)
    {
        await using var connection = OpenConnection();
        await using var update = Command(connection, "UPDATE runs SET lifecycle_stage = $s, deleted_time = $deleted WHERE run_uuid = $id;");
        update.Parameters.AddWithValue("$s", stage);
        update.Parameters.AddWithValue("$deleted", stage == LifecycleStage.Deleted ? NowMs() : DBNull.Value);
        update.Parameters.AddWithValue("$id", runId);
        if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw TrackingException.NotFound($"Run with id={runId} not found");
        }
    }

    private static async Task RequireActiveRunAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT lifecycle_stage FROM runs WHERE run_uuid = $id;", transaction);
        command.Parameters.AddWithValue("$id", runId);
        var stage = await command.ExecuteScalarAsync(cancellationToken) as string
            ?? throw TrackingException.NotFound($"Run with id={runId} not found");
        if (stage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The run {runId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    private static async Task<List<RunInfo>> ReadRunInfosAsync(
        SqliteConnection connection, string sql, List<object> parameters, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = Command(connection, sql, transaction);
        for (var i = 0; i < parameters.Count; i++)
        {
            command.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), parameters[i]);
        }

        return await ReadRunInfosAsync(command, cancellationToken);
    }

    private static async Task<List<RunInfo>> ReadRunInfosAsync(SqliteCommand command, CancellationToken cancellationToken)
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
