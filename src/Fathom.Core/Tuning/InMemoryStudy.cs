namespace Fathom.Tuning;

/// <summary>
/// A study held in memory, ask-and-tell like Optuna's <c>Study</c>: the reference use of the ports for tests, the
/// benchmark and the tune driver (which keeps trials in the tracking store instead). <see cref="Ask"/> numbers a new
/// running trial and starts its <see cref="TrialSampling"/>; the caller suggests params on it, may
/// <see cref="Report"/> intermediate values and ask <see cref="ShouldPrune"/>, then <see cref="Tell"/>s the outcome.
/// </summary>
internal sealed class InMemoryStudy
{
    private readonly List<FrozenTrial> _trials = [];
    private readonly Dictionary<int, TrialSampling> _running = [];

    public InMemoryStudy(string name, IReadOnlyList<StudyDirection> directions, ISampler sampler, IPruner? pruner = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(directions);
        ArgumentNullException.ThrowIfNull(sampler);
        if (directions.Count == 0)
        {
            throw new ArgumentException("A study needs at least one direction.", nameof(directions));
        }
        Name = name;
        Directions = directions;
        Sampler = sampler;
        Pruner = pruner ?? new NopPruner();
    }

    public string Name { get; }
    public IReadOnlyList<StudyDirection> Directions { get; }
    public ISampler Sampler { get; }
    public IPruner Pruner { get; }

    /// <summary>Set when a sampler said every configuration has been tried (the grid sampler).</summary>
    public bool StopRequested { get; private set; }

    public IReadOnlyList<FrozenTrial> Trials => _trials;

    /// <summary>The study as samplers and pruners see it now, running trials included with their latest state.</summary>
    public StudyView View() => new(Name, Directions, [.. _trials.Select(t => _running.TryGetValue(t.Number, out var s) ? s.Trial : t)]);

    /// <summary>A new running trial, its joint sample drawn; suggest its params through the returned sampling.</summary>
    public TrialSampling Ask(IReadOnlyDictionary<string, object?>? fixedParams = null)
    {
        var trial = FrozenTrial.Running(_trials.Count);
        _trials.Add(trial);
        var sampling = TrialSampling.Begin(Sampler, View(), trial, fixedParams);
        _running[trial.Number] = sampling;
        return sampling;
    }

    /// <summary>Records an intermediate value of a running trial.</summary>
    public void Report(TrialSampling sampling, int step, double value)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        _trials[sampling.Trial.Number] = sampling.Trial.WithReport(step, value);
        sampling.Replace(_trials[sampling.Trial.Number]);
    }

    /// <summary>Asks the pruner about a running trial and records the attributes it returns.</summary>
    public bool ShouldPrune(TrialSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        var decision = Pruner.ShouldPrune(View(), sampling.Trial);
        sampling.Replace(sampling.Trial.WithSystemAttrs(decision.SystemAttrs));
        _trials[sampling.Trial.Number] = sampling.Trial;
        return decision.Prune;
    }

    /// <summary>Finishes a trial (Optuna's tell rules) and runs the sampler's after-trial hook.</summary>
    public FrozenTrial Tell(TrialSampling sampling, TrialState state, IReadOnlyList<double>? values = null)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        var finished = sampling.Trial.Finish(state, values, Directions.Count);
        _running.Remove(finished.Number);
        _trials[finished.Number] = finished;
        StopRequested |= Sampler.AfterTrial(View(), finished, finished.State, finished.Values).StopStudy;
        return finished;
    }

    /// <summary>Complete trials' best (one objective) — null before any trial completed.</summary>
    public FrozenTrial? BestTrial() => _trials
        .Where(t => t.State == TrialState.Complete)
        .OrderBy(t => Directions[0] == StudyDirection.Maximize ? -t.Values![0] : t.Values![0])
        .ThenBy(t => t.Number)
        .FirstOrDefault();
}
