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
    /// The study's trials numbered <paramref name="fromNumber"/> and up, ordered by number. Finished trials never change,
    /// so a reader that keeps them needs only the trials from the oldest it has not seen finish. Two statements and no
    /// transaction: the trials first, then their params, values, intermediate values and system attributes. A trial's
    /// state changes in the transaction that writes what comes with it, so a trial read finished always has its values;
    /// one read running may show what it has written since, which a running trial may have anyway.
    /// </summary>
    public Task<IReadOnlyList<StoredTrial>> ReadTrialsAsync(long studyId, int fromNumber, bool withUserAttrs, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StoredTrial>>(async connection =>
        {
            var rows = new List<Row>();
            var byId = new Dictionary<long, Row>();
            await using (var read = Command(connection, null, """
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

            // One result set for the four child tables: (kind, trial, key, number, text).
            var user = withUserAttrs
                ? "UNION ALL SELECT 4, x.trial_id, x.key, NULL, x.value FROM tuning_trial_user_attrs x JOIN tuning_trials t ON t.trial_id = x.trial_id WHERE t.study_id = $1 AND t.number >= $2"
                : "";
            await using (var read = Command(connection, null, $"""
                SELECT 0, x.trial_id, x.name, x.value, x.distribution FROM tuning_trial_params x JOIN tuning_trials t ON t.trial_id = x.trial_id WHERE t.study_id = $1 AND t.number >= $2
                UNION ALL SELECT 1, x.trial_id, CAST(x.objective AS TEXT), x.value, NULL FROM tuning_trial_values x JOIN tuning_trials t ON t.trial_id = x.trial_id WHERE t.study_id = $1 AND t.number >= $2
                UNION ALL SELECT 2, x.trial_id, CAST(x.step AS TEXT), x.value, NULL FROM tuning_trial_intermediate_values x JOIN tuning_trials t ON t.trial_id = x.trial_id WHERE t.study_id = $1 AND t.number >= $2
                UNION ALL SELECT 3, x.trial_id, x.key, NULL, x.value FROM tuning_trial_system_attrs x JOIN tuning_trials t ON t.trial_id = x.trial_id WHERE t.study_id = $1 AND t.number >= $2
                {user};
                """, studyId, (long)fromNumber))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    // A trial claimed after the first statement: it is read next time.
                    if (!byId.TryGetValue(Long(reader, 1), out var row))
                    {
                        continue;
                    }

                    var key = reader.GetString(2);
                    var number = reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3);
                    switch (Long(reader, 0))
                    {
                        case 0:
                            row.Params[key] = number;
                            row.Distributions[key] = Distribution(reader.GetString(4));
                            break;
                        case 1:
                            row.ValuesByObjective[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = number;
                            break;
                        case 2:
                            row.Intermediate[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = number;
                            break;
                        case 3:
                            row.System[key] = reader.GetString(4);
                            break;
                        default:
                            row.User[key] = reader.GetString(4);
                            break;
                    }
                }
            }

            return [.. rows.Select(r => r.ToStored())];
        }, cancellationToken);

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
        public SortedDictionary<int, double> ValuesByObjective { get; } = [];
        public Dictionary<int, double> Intermediate { get; } = [];
        public Dictionary<string, string> System { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> User { get; } = new(StringComparer.Ordinal);

        public StoredTrial ToStored() => new(
            TrialId,
            new FrozenTrial(Number, State, Params, Distributions, ValuesByObjective.Count == 0 ? null : [.. ValuesByObjective.Values], Intermediate, System),
            Worker, Heartbeat, StartedAt, FinishedAt, Error, RunId, Requeued, User);
    }
}
