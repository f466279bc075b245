using System.Text.Json;

namespace Fathom.Tuning;

/// <summary>
/// What <c>fathom tune</c> and <c>fathom tune show</c> report of a study: its trials, the objectives' names, the best
/// trial (one objective) or the Pareto front (several, Optuna's <c>best_trials</c>), and the params' importance per
/// objective (PED-ANOVA over the complete trials, normalised to sum to 1).
/// </summary>
internal sealed record StudyReport(
    StudyInfo Study,
    IReadOnlyList<StoredTrial> Trials,
    IReadOnlyList<string> Objectives,
    IReadOnlyList<StoredTrial> Best,
    IReadOnlyList<IReadOnlyList<KeyValuePair<string, double>>> Importance)
{
    /// <summary>The study attribute holding the objective metric names (a JSON list).</summary>
    public const string ObjectivesAttr = "objectives";

    /// <summary>Trials that count (those failed and queued again are left out).</summary>
    public IEnumerable<StoredTrial> Counted => Trials.Where(t => !t.Requeued);

    public IEnumerable<StoredTrial> Complete => Trials.Where(t => t.State == TrialState.Complete && t.Trial.Values is not null);

    public static StudyReport Build(StudyInfo study, IReadOnlyList<StoredTrial> trials)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trials);
        var objectives = ObjectiveNames(study);
        var view = new StudyView(study.Name, study.Directions, [.. trials.Select(t => t.Trial)]);
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Trial.Values?.Count == study.Directions.Count).ToList();
        IReadOnlyList<StoredTrial> best;
        if (complete.Count == 0)
        {
            best = [];
        }
        else if (study.Directions.Count == 1)
        {
            var sign = study.Directions[0] == StudyDirection.Maximize ? -1 : 1;
            best = [complete.OrderBy(t => sign * t.Trial.Values![0]).ThenBy(t => t.Number).First()];
        }
        else
        {
            var front = MultiObjective.ParetoFront([.. complete.Select(t => view.Losses(t.Trial))]);
            best = [.. front.Select(i => complete[i]).OrderBy(t => t.Number)];
        }

        var importance = new List<IReadOnlyList<KeyValuePair<string, double>>>();
        for (var k = 0; k < study.Directions.Count; k++)
        {
            var objective = k;
            var projected = complete.Select(t => t.Trial with { Values = [t.Trial.Values![objective]] }).ToList();
            importance.Add(PedAnova.Normalise(PedAnova.Evaluate(new StudyView(study.Name, [study.Directions[k]], projected))));
        }

        return new StudyReport(study, trials, objectives, best, importance);
    }

    /// <summary>The objectives' metric names as the study recorded them, else <c>value</c> or <c>values_0</c>, <c>values_1</c>… as Optuna names them.</summary>
    public static IReadOnlyList<string> ObjectiveNames(StudyInfo study)
    {
        ArgumentNullException.ThrowIfNull(study);
        if (study.Attrs.TryGetValue(ObjectivesAttr, out var json))
        {
            var names = JsonSerializer.Deserialize<List<string>>(json);
            if (names is { Count: > 0 } && names.Count == study.Directions.Count)
            {
                return names;
            }
        }

        return study.Directions.Count == 1 ? ["value"] : [.. Enumerable.Range(0, study.Directions.Count).Select(k => $"values_{k}")];
    }

    /// <summary>A trial's params in external representation, in the order first seen.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Params(StoredTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return [.. trial.Trial.Params.Select(p => KeyValuePair.Create(p.Key, trial.Trial.Distributions[p.Key].ToExternal(p.Value)))];
    }
}
