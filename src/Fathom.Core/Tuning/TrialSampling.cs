namespace Fathom.Tuning;

/// <summary>
/// One trial's suggestions, in Optuna's order: <see cref="Begin"/> runs the sampler's before-trial hook and its
/// joint (relative) sample; each <see cref="Suggest"/> then answers one param — an enqueued (fixed) value first,
/// else the joint sample when it covers the param with the same distribution, else an independent sample — and
/// a param asked again answers the same value. <see cref="Trial"/> is the running trial to record (params in
/// internal representation and the system attributes the sampler asked for). Not thread-safe: one per trial.
/// </summary>
internal sealed class TrialSampling
{
    private readonly ISampler _sampler;
    private readonly StudyView _study;
    private readonly IReadOnlyDictionary<string, ParamDistribution> _relativeSpace;
    private readonly IReadOnlyDictionary<string, double> _relative;
    private readonly IReadOnlyDictionary<string, object?> _fixed;

    private TrialSampling(
        ISampler sampler,
        StudyView study,
        FrozenTrial trial,
        IReadOnlyDictionary<string, ParamDistribution> relativeSpace,
        IReadOnlyDictionary<string, double> relative,
        IReadOnlyDictionary<string, object?> fixedParams)
    {
        _sampler = sampler;
        _study = study;
        Trial = trial;
        _relativeSpace = relativeSpace;
        _relative = relative;
        _fixed = fixedParams;
    }

    /// <summary>The running trial so far: suggested params and the sampler's system attributes.</summary>
    public FrozenTrial Trial { get; private set; }

    /// <summary>
    /// Starts sampling <paramref name="trial"/> (running, numbered) against <paramref name="study"/> (the history the
    /// sampler may read; the trial itself may be in it). <paramref name="fixedParams"/> are an enqueued trial's values.
    /// </summary>
    public static TrialSampling Begin(
        ISampler sampler, StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, object?>? fixedParams = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        trial = trial.WithSystemAttrs(sampler.BeforeTrial(study, trial));
        var space = sampler.InferRelativeSearchSpace(study, trial);
        var relative = sampler.SampleRelative(study, trial, space);
        trial = trial.WithSystemAttrs(relative.SystemAttrs);
        return new TrialSampling(sampler, study, trial, space, relative.Params, fixedParams ?? new Dictionary<string, object?>());
    }

    /// <summary>Takes a newer state of the same running trial (an intermediate value, a pruner's attributes).</summary>
    public void Replace(FrozenTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (trial.Number != Trial.Number)
        {
            throw new ArgumentException($"Trial {trial.Number} is not trial {Trial.Number}.", nameof(trial));
        }
        Trial = trial;
    }

    /// <summary>The param's value in external representation (double, long, or the categorical choice).</summary>
    public object? Suggest(string name, ParamDistribution distribution) =>
        distribution.ToExternal(SuggestInternal(name, distribution));

    /// <summary>The param's value in internal representation.</summary>
    public double SuggestInternal(string name, ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(distribution);
        if (Trial.Params.TryGetValue(name, out var known))
        {
            var earlier = Trial.Distributions[name];
            if (!ParamDistribution.AreCompatible(earlier, distribution))
            {
                throw new ArgumentException($"Param '{name}' was suggested as {earlier} in this trial, then as {distribution}.");
            }
            return known;
        }
        CheckAgainstStudy(name, distribution);
        double value;
        if (_fixed.TryGetValue(name, out var fixedValue) && TryInternal(distribution, fixedValue, out var v))
        {
            value = v;
        }
        else if (_relative.TryGetValue(name, out var r) && _relativeSpace.TryGetValue(name, out var d) && d.Equals(distribution))
        {
            value = r;
        }
        else
        {
            value = _sampler.SampleIndependent(_study, Trial, name, distribution);
        }
        Trial = Trial.WithParam(name, distribution, value);
        return value;
    }

    private void CheckAgainstStudy(string name, ParamDistribution distribution)
    {
        foreach (var t in _study.Trials)
        {
            if (t.Number != Trial.Number && t.Distributions.TryGetValue(name, out var earlier))
            {
                if (!ParamDistribution.AreCompatible(earlier, distribution))
                {
                    throw new ArgumentException(
                        $"Param '{name}' is {distribution} here but was {earlier} in trial {t.Number}: a param keeps its kind (and choices).");
                }
                return;
            }
        }
    }

    private static bool TryInternal(ParamDistribution distribution, object? value, out double result)
    {
        try
        {
            result = distribution.ToInternal(value);
            return true;
        }
        catch (ArgumentException)
        {
            result = 0;
            return false;
        }
    }
}
