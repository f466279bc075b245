namespace Fathom.Tuning;

/// <summary>
/// What a sampler or pruner may read of a study: its name (Hyperband hashes it), one direction per objective and
/// every trial ordered by number. No storage and no I/O behind it: the driver builds one per ask.
/// </summary>
internal sealed record StudyView(string Name, IReadOnlyList<StudyDirection> Directions, IReadOnlyList<FrozenTrial> Trials)
{
    public bool IsMultiObjective => Directions.Count > 1;

    /// <summary>The single objective's direction; throws for a multi-objective study.</summary>
    public StudyDirection Direction => Directions.Count == 1
        ? Directions[0]
        : throw new InvalidOperationException("A multi-objective study has one direction per objective.");

    public IEnumerable<FrozenTrial> TrialsIn(TrialState state) => Trials.Where(t => t.State == state);

    public IEnumerable<FrozenTrial> TrialsIn(TrialState a, TrialState b) => Trials.Where(t => t.State == a || t.State == b);

    /// <summary>Objective values as losses (maximised objectives negated), as every multi-objective routine wants them.</summary>
    public double[] Losses(FrozenTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var values = trial.Values ?? throw new ArgumentException($"Trial {trial.Number} has no values.", nameof(trial));
        var losses = new double[values.Count];
        for (var k = 0; k < losses.Length; k++)
        {
            losses[k] = Directions[k] == StudyDirection.Maximize ? -values[k] : values[k];
        }
        return losses;
    }
}
