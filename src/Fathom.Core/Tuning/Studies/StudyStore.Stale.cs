using System.Data.Common;
using System.Globalization;

namespace Fathom.Tuning;

/// <summary>A running trial failed because its worker stopped: its number, its tracking run, and the number of the queued copy (null when it was retried too often).</summary>
internal sealed record AbandonedTrial(int Number, string? RunId, int? RequeuedAs);

internal abstract partial class StudyStore
{
    /// <summary>System attribute of a queued copy: the number of the trial it retries first (Optuna's <c>RetryFailedTrialCallback</c>).</summary>
    public const string FailedTrialKey = "failed_trial";

    /// <summary>System attribute of a queued copy: how many times the first trial has been retried.</summary>
    public const string RetryCountKey = "retry_count";

    /// <summary>
    /// Fails the study's RUNNING trials whose worker is gone — no heartbeat since <paramref name="staleBeforeMs"/>, or a
    /// worker <paramref name="isDead"/> knows has exited — and queues a copy of each (same params, WAITING) unless it was
    /// already retried <paramref name="maxRetries"/> times, as Optuna's <c>fail_stale_trials</c> with a retry callback.
    /// Exactly one worker fails and queues each trial: the update re-checks the heartbeat it read.
    /// </summary>
    public async Task<IReadOnlyList<AbandonedTrial>> FailStaleTrialsAsync(
        long studyId, long staleBeforeMs, Func<string?, bool> isDead, int maxRetries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isDead);
        var running = await ReadAsync(async connection =>
        {
            var found = new List<(long TrialId, long? Heartbeat, string? Worker)>();
            await using var read = Command(connection, null, "SELECT trial_id, heartbeat, worker FROM tuning_trials WHERE study_id = $1 AND state = 0;", studyId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((Long(reader, 0), NullableLong(reader, 1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }

            return found;
        }, cancellationToken);
        var stale = running.Where(t => (t.Heartbeat ?? long.MinValue) < staleBeforeMs || isDead(t.Worker)).ToList();
        if (stale.Count == 0)
        {
            return [];
        }

        var reason = "the worker running it stopped (no heartbeat)";
        return await AbandonAsync(studyId, [.. stale.Select(t => (t.TrialId, t.Heartbeat))], reason, maxRetries, cancellationToken);
    }

    /// <summary>
    /// Fails the trials <paramref name="worker"/> still runs in the study with <paramref name="reason"/> and queues a copy
    /// of each: a worker that is stopped (Ctrl+C, SIGTERM) hands its trials back so that a resumed study runs them.
    /// </summary>
    public async Task<IReadOnlyList<AbandonedTrial>> AbandonTrialsAsync(long studyId, string worker, string reason, int maxRetries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var mine = await ReadAsync(async connection =>
        {
            var found = new List<(long, long?)>();
            await using var read = Command(connection, null, "SELECT trial_id, heartbeat FROM tuning_trials WHERE study_id = $1 AND state = 0 AND worker = $2;", studyId, worker);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((Long(reader, 0), NullableLong(reader, 1)));
            }

            return found;
        }, cancellationToken);
        return mine.Count == 0 ? [] : await AbandonAsync(studyId, mine, reason, maxRetries, cancellationToken);
    }

    private Task<IReadOnlyList<AbandonedTrial>> AbandonAsync(
        long studyId, IReadOnlyList<(long TrialId, long? Heartbeat)> trials, string reason, int maxRetries, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<AbandonedTrial>>(async (connection, transaction) =>
        {
            // The study row first, as trial creation takes it: every transaction that locks both locks it before trials.
            await using (var lockStudy = Command(connection, transaction, $"SELECT next_number FROM tuning_studies WHERE study_id = $1{Dialect.RowLock};", studyId))
            {
                await lockStudy.ExecuteScalarAsync(cancellationToken);
            }

            var now = NowMs();
            var abandoned = new List<AbandonedTrial>();
            foreach (var (trialId, heartbeat) in trials)
            {
                int number;
                string? runId;
                await using (var fail = Command(connection, transaction, """
                    UPDATE tuning_trials SET state = 3, finished_at = $3, error = $4
                    WHERE trial_id = $1 AND state = 0 AND COALESCE(heartbeat, -1) = $2
                    RETURNING number, run_id;
                    """, trialId, heartbeat ?? -1L, now, reason))
                await using (var reader = await fail.ExecuteReaderAsync(cancellationToken))
                {
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        // It reported or finished since we read it: alive after all.
                        continue;
                    }

                    number = (int)Long(reader, 0);
                    runId = reader.IsDBNull(1) ? null : reader.GetString(1);
                }

                var system = await ReadAttrsAsync(connection, transaction, "tuning_trial_system_attrs", trialId, cancellationToken);
                var retries = system.TryGetValue(RetryCountKey, out var r) && int.TryParse(r, CultureInfo.InvariantCulture, out var n) ? n : 0;
                if (retries >= maxRetries)
                {
                    abandoned.Add(new AbandonedTrial(number, runId, null));
                    continue;
                }

                await using (var mark = Command(connection, transaction, "UPDATE tuning_trials SET requeued = 1 WHERE trial_id = $1;", trialId))
                {
                    await mark.ExecuteNonQueryAsync(cancellationToken);
                }

                var (copyId, copyNumber) = await InsertWaitingAsync(connection, transaction, studyId, countsAsRetry: true, cancellationToken);
                await CopyRowsAsync(connection, transaction, "tuning_trial_params", "name, value, distribution", trialId, copyId, cancellationToken);
                await CopyRowsAsync(connection, transaction, "tuning_trial_user_attrs", "key, value", trialId, copyId, cancellationToken);
                await UpsertAsync(connection, transaction, "tuning_trial_system_attrs", "trial_id", copyId, new Dictionary<string, string>
                {
                    [FailedTrialKey] = system.GetValueOrDefault(FailedTrialKey) ?? number.ToString(CultureInfo.InvariantCulture),
                    [RetryCountKey] = (retries + 1).ToString(CultureInfo.InvariantCulture),
                }, cancellationToken);
                abandoned.Add(new AbandonedTrial(number, runId, copyNumber));
            }

            return abandoned;
        }, cancellationToken);

    private async Task CopyRowsAsync(DbConnection connection, DbTransaction transaction, string table, string columns, long from, long to, CancellationToken cancellationToken)
    {
        await using var copy = Command(connection, transaction, $"INSERT INTO {table} (trial_id, {columns}) SELECT $2, {columns} FROM {table} WHERE trial_id = $1;", from, to);
        await copy.ExecuteNonQueryAsync(cancellationToken);
    }
}
