using System.Data.Common;

namespace Fathom.Tuning;

/// <summary>
/// A trial a worker now owns: its id and number, and — when it was taken from the queue (WAITING: enqueued, or a dead
/// worker's trial queued again) — the params it must run with and the attributes it carries.
/// </summary>
internal sealed record ClaimedTrial(
    long TrialId,
    int Number,
    IReadOnlyDictionary<string, (ParamDistribution Distribution, double Value)> FixedParams,
    IReadOnlyDictionary<string, string> SystemAttrs,
    IReadOnlyDictionary<string, string> UserAttrs)
{
    public bool FromQueue => FixedParams.Count > 0 || SystemAttrs.Count > 0;
}

internal abstract partial class StudyStore
{
    private static readonly Dictionary<string, (ParamDistribution, double)> NoParams = [];
    private static readonly Dictionary<string, string> NoAttrs = [];

    /// <summary>
    /// Gives <paramref name="worker"/> a trial to run, in one transaction: the oldest WAITING trial if there is one (each
    /// is claimed by exactly one worker), else a new RUNNING trial numbered next — unless the study already holds
    /// <paramref name="maxTrials"/> trials that count (queued copies replace the trials they retry). Null when there is
    /// nothing to run.
    /// </summary>
    public Task<ClaimedTrial?> ClaimTrialAsync(long studyId, string worker, long maxTrials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return WriteAsync<ClaimedTrial?>(async (connection, transaction) =>
        {
            var now = NowMs();
            long? waiting = null;
            var number = 0;
            await using (var claim = Command(connection, transaction, $"""
                UPDATE tuning_trials SET state = 0, worker = $2, heartbeat = $3, started_at = $3
                WHERE trial_id = (SELECT trial_id FROM tuning_trials WHERE study_id = $1 AND state = 4 ORDER BY number LIMIT 1{SkipLocked}) AND state = 4
                RETURNING trial_id, number;
                """, studyId, worker, now))
            await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    waiting = Long(reader, 0);
                    number = (int)Long(reader, 1);
                }
            }

            if (waiting is { } id)
            {
                var fixedParams = await ReadParamsAsync(connection, transaction, id, cancellationToken);
                var system = await ReadAttrsAsync(connection, transaction, "tuning_trial_system_attrs", id, cancellationToken);
                var user = await ReadAttrsAsync(connection, transaction, "tuning_trial_user_attrs", id, cancellationToken);
                return new ClaimedTrial(id, number, fixedParams, system, user);
            }

            long allocated;
            await using (var next = Command(connection, transaction,
                "UPDATE tuning_studies SET next_number = next_number + 1 WHERE study_id = $1 AND next_number - requeued < $2 RETURNING next_number - 1;",
                studyId, maxTrials))
            {
                if (await next.ExecuteScalarAsync(cancellationToken) is not { } value || value is DBNull)
                {
                    return null;
                }

                allocated = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            }

            await using var insert = Command(connection, transaction,
                "INSERT INTO tuning_trials (study_id, number, state, worker, heartbeat, started_at) VALUES ($1, $2, 0, $3, $4, $4) RETURNING trial_id;",
                studyId, allocated, worker, now);
            var trialId = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            return new ClaimedTrial(trialId, (int)allocated, NoParams, NoAttrs, NoAttrs);
        }, cancellationToken);
    }

    /// <summary>
    /// Queues a trial (WAITING) with fixed params, as Optuna's <c>enqueue_trial</c>: the next worker to ask runs it. It
    /// takes the next number at once and counts toward the budget.
    /// </summary>
    public Task<int> EnqueueTrialAsync(
        long studyId, IReadOnlyDictionary<string, (ParamDistribution Distribution, double Value)> parameters, IReadOnlyDictionary<string, string> userAttrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(userAttrs);
        return WriteAsync(async (connection, transaction) =>
        {
            var (trialId, number) = await InsertWaitingAsync(connection, transaction, studyId, countsAsRetry: false, cancellationToken);
            await WriteParamsAsync(connection, transaction, trialId, parameters, cancellationToken);
            await UpsertAsync(connection, transaction, "tuning_trial_user_attrs", "trial_id", trialId, userAttrs, cancellationToken);
            return number;
        }, cancellationToken);
    }

    /// <summary>
    /// Records what the trial runs with once sampled: its params (internal values with their distributions), the
    /// sampler's system attributes, user attributes and the tracking run that holds it. False when the trial is no longer
    /// this worker's running trial (it was failed as stale).
    /// </summary>
    public Task<bool> StartTrialAsync(long trialId, string worker, FrozenTrial trial, IReadOnlyDictionary<string, string> userAttrs, string? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(userAttrs);
        return WriteAsync(async (connection, transaction) =>
        {
            if (!await TouchAsync(connection, transaction, trialId, worker, runId, cancellationToken))
            {
                return false;
            }

            var parameters = trial.Params.ToDictionary(p => p.Key, p => (trial.Distributions[p.Key], p.Value), StringComparer.Ordinal);
            await WriteParamsAsync(connection, transaction, trialId, parameters, cancellationToken);
            await UpsertAsync(connection, transaction, "tuning_trial_system_attrs", "trial_id", trialId, trial.SystemAttrs, cancellationToken);
            await UpsertAsync(connection, transaction, "tuning_trial_user_attrs", "trial_id", trialId, userAttrs, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Records an intermediate value (the first value of a step is kept, as Optuna) and the pruner's system attributes.
    /// False when the trial is no longer this worker's running trial.
    /// </summary>
    public Task<bool> ReportAsync(long trialId, string worker, int step, double value, IReadOnlyDictionary<string, string> systemAttrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(systemAttrs);
        return WriteAsync(async (connection, transaction) =>
        {
            if (!await TouchAsync(connection, transaction, trialId, worker, null, cancellationToken))
            {
                return false;
            }

            await using (var insert = Command(connection, transaction,
                "INSERT INTO tuning_trial_intermediate_values (trial_id, step, value) VALUES ($1, $2, $3) ON CONFLICT (trial_id, step) DO NOTHING;",
                trialId, (long)step, Stored(value)))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await UpsertAsync(connection, transaction, "tuning_trial_system_attrs", "trial_id", trialId, systemAttrs, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>Moves the heartbeat of every trial <paramref name="worker"/> runs in the study to now; returns how many it runs.</summary>
    public Task<int> HeartbeatAsync(long studyId, string worker, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var update = Command(connection, transaction,
                "UPDATE tuning_trials SET heartbeat = $1 WHERE study_id = $2 AND worker = $3 AND state = 0;", NowMs(), studyId, worker);
            return await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Finishes a trial: its state (complete, pruned or failed), one value per objective (complete, or pruned with a
    /// last intermediate value), the error of a failed trial, and final user attributes. False, and nothing written, when
    /// the trial is no longer this worker's running trial.
    /// </summary>
    public Task<bool> FinishTrialAsync(
        long trialId, string worker, TrialState state, IReadOnlyList<double>? values, string? error, IReadOnlyDictionary<string, string> userAttrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userAttrs);
        if (state is not (TrialState.Complete or TrialState.Pruned or TrialState.Failed))
        {
            throw new ArgumentException($"A trial finishes as complete, pruned or failed, not {state}.", nameof(state));
        }

        return WriteAsync(async (connection, transaction) =>
        {
            await using (var update = Command(connection, transaction,
                "UPDATE tuning_trials SET state = $3, finished_at = $4, error = $5 WHERE trial_id = $1 AND worker = $2 AND state = 0;",
                trialId, worker, (long)state, NowMs(), error))
            {
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return false;
                }
            }

            if (values is { Count: > 0 })
            {
                await using var insert = Command(connection, transaction, "INSERT INTO tuning_trial_values (trial_id, objective, value) VALUES ($1, $2, $3);", trialId, 0L, 0.0);
                for (var k = 0; k < values.Count; k++)
                {
                    insert.Parameters[1].Value = (long)k;
                    insert.Parameters[2].Value = values[k];
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await UpsertAsync(connection, transaction, "tuning_trial_user_attrs", "trial_id", trialId, userAttrs, cancellationToken);
            return true;
        }, cancellationToken);
    }

    // The ownership check every write of a running trial starts with; it also moves the heartbeat (and sets the run).
    private async Task<bool> TouchAsync(DbConnection connection, DbTransaction transaction, long trialId, string worker, string? runId, CancellationToken cancellationToken)
    {
        await using var update = Command(connection, transaction,
            "UPDATE tuning_trials SET heartbeat = $3, run_id = COALESCE($4, run_id) WHERE trial_id = $1 AND worker = $2 AND state = 0;",
            trialId, worker, NowMs(), runId);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<(long TrialId, int Number)> InsertWaitingAsync(DbConnection connection, DbTransaction transaction, long studyId, bool countsAsRetry, CancellationToken cancellationToken)
    {
        long number;
        // A retry replaces the trial it retries in the budget; an enqueued trial adds to it.
        var sql = countsAsRetry
            ? "UPDATE tuning_studies SET next_number = next_number + 1, requeued = requeued + 1 WHERE study_id = $1 RETURNING next_number - 1;"
            : "UPDATE tuning_studies SET next_number = next_number + 1 WHERE study_id = $1 RETURNING next_number - 1;";
        await using (var next = Command(connection, transaction, sql, studyId))
        {
            number = Convert.ToInt64(await next.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var insert = Command(connection, transaction,
            "INSERT INTO tuning_trials (study_id, number, state) VALUES ($1, $2, 4) RETURNING trial_id;", studyId, number);
        var trialId = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        return (trialId, (int)number);
    }

    private async Task WriteParamsAsync(
        DbConnection connection, DbTransaction transaction, long trialId, IReadOnlyDictionary<string, (ParamDistribution Distribution, double Value)> parameters, CancellationToken cancellationToken)
    {
        if (parameters.Count == 0)
        {
            return;
        }

        await using var upsert = Command(connection, transaction, """
            INSERT INTO tuning_trial_params (trial_id, name, value, distribution) VALUES ($1, $2, $3, $4)
            ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value, distribution = excluded.distribution;
            """, trialId, "", 0.0, "");
        foreach (var (name, (distribution, value)) in parameters)
        {
            upsert.Parameters[1].Value = name;
            upsert.Parameters[2].Value = value;
            upsert.Parameters[3].Value = DistributionJson.Write(distribution);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<Dictionary<string, (ParamDistribution, double)>> ReadParamsAsync(DbConnection connection, DbTransaction? transaction, long trialId, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (ParamDistribution, double)>(StringComparer.Ordinal);
        await using var read = Command(connection, transaction, "SELECT name, value, distribution FROM tuning_trial_params WHERE trial_id = $1;", trialId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetString(0)] = (DistributionJson.Read(reader.GetString(2)), reader.GetDouble(1));
        }

        return result;
    }

    private async Task<Dictionary<string, string>> ReadAttrsAsync(DbConnection connection, DbTransaction? transaction, string table, long trialId, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var read = Command(connection, transaction, $"SELECT key, value FROM {table} WHERE trial_id = $1;", trialId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }

        return result;
    }

    // SQLite stores NaN as NULL; PostgreSQL keeps it. Intermediate values may be NaN (a pruner prunes on it).
    private static object Stored(double value) => double.IsNaN(value) ? DBNull.Value : value;
}
