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
    public async Task<ClaimedTrial?> ClaimTrialAsync(long studyId, string worker, long maxTrials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var now = NowMs();
        (long TrialId, int Number, bool Waiting)? claimed = ClaimBatch(studyId, worker, now, maxTrials) is { } batch
            ? await ClaimInOneRoundTripAsync(batch, cancellationToken)
            : await WriteAsync<(long, int, bool)?>(async (connection, transaction) =>
            {
                await using (var claim = Command(connection, transaction, $"""
                    UPDATE tuning_trials SET state = 0, worker = $2, heartbeat = $3, started_at = $3
                    WHERE trial_id = (SELECT trial_id FROM tuning_trials WHERE study_id = $1 AND state = 4 ORDER BY number LIMIT 1{SkipLocked}) AND state = 4
                    RETURNING trial_id, number;
                    """, studyId, worker, now))
                await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        return (Long(reader, 0), (int)Long(reader, 1), true);
                    }
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
                return (Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture), (int)allocated, false);
            }, cancellationToken);
        if (claimed is not { } trial)
        {
            return null;
        }

        if (!trial.Waiting)
        {
            return new ClaimedTrial(trial.TrialId, trial.Number, NoParams, NoAttrs, NoAttrs);
        }

        // A queued trial's params and attributes were written before it was queued; only its owner writes them now.
        return await ReadAsync(async connection => new ClaimedTrial(
            trial.TrialId,
            trial.Number,
            await ReadParamsAsync(connection, null, trial.TrialId, cancellationToken),
            await ReadAttrsAsync(connection, null, "tuning_trial_system_attrs", trial.TrialId, cancellationToken),
            await ReadAttrsAsync(connection, null, "tuning_trial_user_attrs", trial.TrialId, cancellationToken)), cancellationToken);
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
            await using (var insert = Command(connection, transaction, ParamsSql(parameters, guarded: false, out var values), [trialId, .. values]))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await UpsertAsync(connection, transaction, "tuning_trial_user_attrs", "trial_id", trialId, userAttrs, cancellationToken);
            return number;
        }, cancellationToken);
    }

    /// <summary>
    /// Records what the trial runs with once sampled: its params (internal values with their distributions), the
    /// sampler's system attributes, user attributes and the tracking run that holds it. False when the trial is no longer
    /// this worker's running trial (it was failed as stale).
    /// </summary>
    public async Task<bool> StartTrialAsync(long trialId, string worker, FrozenTrial trial, IReadOnlyDictionary<string, string> userAttrs, string? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(userAttrs);
        List<Statement> statements = [Touch(trialId, worker, runId)];
        if (trial.Params.Count > 0)
        {
            var parameters = trial.Params.ToDictionary(p => p.Key, p => (trial.Distributions[p.Key], p.Value), StringComparer.Ordinal);
            statements.Add(new Statement(ParamsSql(parameters, guarded: true, out var values), [trialId, worker, .. values]));
        }

        AddAttrs(statements, "tuning_trial_system_attrs", trialId, worker, trial.SystemAttrs);
        AddAttrs(statements, "tuning_trial_user_attrs", trialId, worker, userAttrs);
        return await WriteBatchAsync(statements, cancellationToken) == 1;
    }

    /// <summary>
    /// Records an intermediate value (the first value of a step is kept, as Optuna) and the pruner's system attributes.
    /// False when the trial is no longer this worker's running trial.
    /// </summary>
    public async Task<bool> ReportAsync(long trialId, string worker, int step, double value, IReadOnlyDictionary<string, string> systemAttrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(systemAttrs);
        List<Statement> statements =
        [
            Touch(trialId, worker, null),
            new($"""
                INSERT INTO tuning_trial_intermediate_values (trial_id, step, value) SELECT column1, column2, column3 FROM (VALUES ($1, $3, $4)) AS v
                WHERE {Owned} ON CONFLICT (trial_id, step) DO NOTHING;
                """, trialId, worker, (long)step, Stored(value)),
        ];
        AddAttrs(statements, "tuning_trial_system_attrs", trialId, worker, systemAttrs);
        return await WriteBatchAsync(statements, cancellationToken) == 1;
    }

    /// <summary>Moves the heartbeat of every trial <paramref name="worker"/> runs in the study to now; returns how many it runs.</summary>
    public Task<int> HeartbeatAsync(long studyId, string worker, CancellationToken cancellationToken) =>
        WriteBatchAsync([new("UPDATE tuning_trials SET heartbeat = $1 WHERE study_id = $2 AND worker = $3 AND state = 0;", NowMs(), studyId, worker)], cancellationToken);

    /// <summary>
    /// Finishes a trial: its state (complete, pruned or failed), one value per objective (complete, or pruned with a
    /// last intermediate value), the error of a failed trial, and final user attributes. False, and nothing written, when
    /// the trial is no longer this worker's running trial.
    /// </summary>
    public async Task<bool> FinishTrialAsync(
        long trialId, string worker, TrialState state, IReadOnlyList<double>? values, string? error, IReadOnlyDictionary<string, string> userAttrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userAttrs);
        if (state is not (TrialState.Complete or TrialState.Pruned or TrialState.Failed))
        {
            throw new ArgumentException($"A trial finishes as complete, pruned or failed, not {state}.", nameof(state));
        }

        List<Statement> statements = [Touch(trialId, worker, null)];
        if (values is { Count: > 0 })
        {
            var rows = string.Join(", ", values.Select((_, k) => $"($1, {k.ToString(System.Globalization.CultureInfo.InvariantCulture)}, ${k + 3})"));
            statements.Add(new Statement(
                $"INSERT INTO tuning_trial_values (trial_id, objective, value) SELECT column1, column2, column3 FROM (VALUES {rows}) AS v WHERE {Owned};",
                [trialId, worker, .. values.Select(v => (object?)v)]));
        }

        AddAttrs(statements, "tuning_trial_user_attrs", trialId, worker, userAttrs);
        // Last: the guards above read the trial as still running.
        statements.Add(new Statement("UPDATE tuning_trials SET state = $3, finished_at = $4, error = $5 WHERE trial_id = $1 AND worker = $2 AND state = 0;",
            trialId, worker, (long)state, NowMs(), error));
        return await WriteBatchAsync(statements, cancellationToken) == 1;
    }

    // Every write of a running trial starts here: the ownership check, which also locks the trial's row for the rest of the
    // write (PostgreSQL), moves the heartbeat and sets the run. Its count of rows is the write's answer.
    private Statement Touch(long trialId, string worker, string? runId) => new(
        "UPDATE tuning_trials SET heartbeat = $3, run_id = COALESCE($4, run_id) WHERE trial_id = $1 AND worker = $2 AND state = 0;",
        trialId, worker, NowMs(), runId);

    // The guard of the statements after Touch: $1 is the trial, $2 the worker.
    private const string Owned = "EXISTS (SELECT 1 FROM tuning_trials WHERE trial_id = $1 AND worker = $2 AND state = 0)";

    private static void AddAttrs(List<Statement> statements, string table, long trialId, string worker, IReadOnlyDictionary<string, string> attrs)
    {
        if (attrs.Count == 0)
        {
            return;
        }

        var values = new List<object?> { trialId, worker };
        var rows = new List<string>(attrs.Count);
        foreach (var (key, value) in attrs)
        {
            rows.Add($"($1, ${values.Count + 1}, ${values.Count + 2})");
            values.Add(key);
            values.Add(value);
        }

        statements.Add(new Statement(
            $"INSERT INTO {table} (trial_id, key, value) SELECT column1, column2, column3 FROM (VALUES {string.Join(", ", rows)}) AS v WHERE {Owned} ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value;",
            [.. values]));
    }

    // Params as one statement; $1 is the trial (and $2 the worker when guarded), the returned values follow.
    private static string ParamsSql(IReadOnlyDictionary<string, (ParamDistribution Distribution, double Value)> parameters, bool guarded, out List<object?> values)
    {
        values = [];
        var first = guarded ? 3 : 2;
        var rows = new List<string>(parameters.Count);
        foreach (var (name, (distribution, value)) in parameters)
        {
            var at = first + values.Count;
            rows.Add($"($1, ${at}, ${at + 1}, ${at + 2})");
            values.Add(name);
            values.Add(value);
            values.Add(DistributionJson.Write(distribution));
        }

        return $"""
            INSERT INTO tuning_trial_params (trial_id, name, value, distribution) SELECT column1, column2, column3, column4 FROM (VALUES {string.Join(", ", rows)}) AS v
            WHERE {(guarded ? Owned : "1 = 1")} ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value, distribution = excluded.distribution;
            """;
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
}
