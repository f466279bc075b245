using System.Data.Common;

namespace Fathom.Tuning;

/// <summary>
/// A stored trial: what samplers and pruners see (<see cref="FrozenTrial"/>) and what the store keeps besides — who
/// runs it and their last heartbeat, times (ms since the epoch), the error of a failed trial, the tracking run, whether
/// it was replaced by a queued copy, and user attributes.
/// </summary>
internal sealed record StoredTrial(
    long TrialId,
    FrozenTrial Trial,
    string? Worker,
    long? Heartbeat,
    long? StartedAt,
    long? FinishedAt,
    string? Error,
    string? RunId,
    bool Requeued,
    IReadOnlyDictionary<string, string> UserAttrs)
{
    public int Number => Trial.Number;

    public TrialState State => Trial.State;
}

internal abstract partial class StudyStore
{
    /// <summary>
    /// The study's trials numbered <paramref name="fromNumber"/> and up, ordered by number, read in one snapshot (a
    /// trial is never seen finished without its values). Finished trials never change, so a reader that keeps them needs
    /// only the trials from the oldest it has not seen finish.
    /// </summary>
    public Task<IReadOnlyList<StoredTrial>> ReadTrialsAsync(long studyId, int fromNumber, bool withUserAttrs, CancellationToken cancellationToken) =>
        ReadSnapshotAsync<IReadOnlyList<StoredTrial>>(async (connection, transaction) =>
        {
            var rows = new List<Row>();
            var byId = new Dictionary<long, Row>();
            await using (var read = Command(connection, transaction, """
                SELECT trial_id, number, state, worker, heartbeat, started_at, finished_at, error, run_id, requeued
                FROM tuning_trials WHERE study_id = $1 AND number >= $2 ORDER BY number;
                """, studyId, (long)fromNumber))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = new Row
                    {
                        TrialId = Long(reader, 0),
                        Number = (int)Long(reader, 1),
                        State = (TrialState)Long(reader, 2),
                        Worker = reader.IsDBNull(3) ? null : reader.GetString(3),
                        Heartbeat = NullableLong(reader, 4),
                        StartedAt = NullableLong(reader, 5),
                        FinishedAt = NullableLong(reader, 6),
                        Error = reader.IsDBNull(7) ? null : reader.GetString(7),
                        RunId = reader.IsDBNull(8) ? null : reader.GetString(8),
                        Requeued = Long(reader, 9) != 0,
                    };
                    rows.Add(row);
                    byId[row.TrialId] = row;
                }
            }

            if (rows.Count == 0)
            {
                return [];
            }

            const string Join = "JOIN tuning_trials t ON t.trial_id = x.trial_id WHERE t.study_id = $1 AND t.number >= $2";
            await ForEachRowAsync(connection, transaction, $"SELECT x.trial_id, x.name, x.value, x.distribution FROM tuning_trial_params x {Join};", studyId, fromNumber, reader =>
            {
                var row = byId[Long(reader, 0)];
                row.Params[reader.GetString(1)] = reader.GetDouble(2);
                row.Distributions[reader.GetString(1)] = Distribution(reader.GetString(3));
            }, cancellationToken);
            await ForEachRowAsync(connection, transaction, $"SELECT x.trial_id, x.objective, x.value FROM tuning_trial_values x {Join} ORDER BY x.trial_id, x.objective;", studyId, fromNumber, reader =>
                (byId[Long(reader, 0)].Values ??= []).Add(reader.GetDouble(2)), cancellationToken);
            await ForEachRowAsync(connection, transaction, $"SELECT x.trial_id, x.step, x.value FROM tuning_trial_intermediate_values x {Join};", studyId, fromNumber, reader =>
                byId[Long(reader, 0)].Intermediate[(int)Long(reader, 1)] = reader.IsDBNull(2) ? double.NaN : reader.GetDouble(2), cancellationToken);
            await ForEachRowAsync(connection, transaction, $"SELECT x.trial_id, x.key, x.value FROM tuning_trial_system_attrs x {Join};", studyId, fromNumber, reader =>
                byId[Long(reader, 0)].System[reader.GetString(1)] = reader.GetString(2), cancellationToken);
            if (withUserAttrs)
            {
                await ForEachRowAsync(connection, transaction, $"SELECT x.trial_id, x.key, x.value FROM tuning_trial_user_attrs x {Join};", studyId, fromNumber, reader =>
                    byId[Long(reader, 0)].User[reader.GetString(1)] = reader.GetString(2), cancellationToken);
            }

            return [.. rows.Select(r => r.ToStored())];
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a read-only transaction: one snapshot for all its statements.</summary>
    protected async Task<T> ReadSnapshotAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginReadAsync(connection, cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task ForEachRowAsync(
        DbConnection connection, DbTransaction transaction, string sql, long studyId, int fromNumber, Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, transaction, sql, studyId, (long)fromNumber);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            row(reader);
        }
    }

    // Studies repeat a handful of distributions over thousands of params: parse each text once.
    private readonly Dictionary<string, ParamDistribution> _distributions = new(StringComparer.Ordinal);
    private readonly Lock _distributionsLock = new();

    private ParamDistribution Distribution(string json)
    {
        lock (_distributionsLock)
        {
            if (!_distributions.TryGetValue(json, out var distribution))
            {
                _distributions[json] = distribution = DistributionJson.Read(json);
            }

            return distribution;
        }
    }

    private sealed class Row
    {
        public long TrialId { get; init; }
        public int Number { get; init; }
        public TrialState State { get; init; }
        public string? Worker { get; init; }
        public long? Heartbeat { get; init; }
        public long? StartedAt { get; init; }
        public long? FinishedAt { get; init; }
        public string? Error { get; init; }
        public string? RunId { get; init; }
        public bool Requeued { get; init; }
        public Dictionary<string, double> Params { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, ParamDistribution> Distributions { get; } = new(StringComparer.Ordinal);
        public List<double>? Values { get; set; }
        public Dictionary<int, double> Intermediate { get; } = [];
        public Dictionary<string, string> System { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> User { get; } = new(StringComparer.Ordinal);

        public StoredTrial ToStored() => new(
            TrialId,
            new FrozenTrial(Number, State, Params, Distributions, Values, Intermediate, System),
            Worker, Heartbeat, StartedAt, FinishedAt, Error, RunId, Requeued, User);
    }
}
