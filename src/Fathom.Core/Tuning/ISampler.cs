namespace Fathom.Tuning;

/// <summary>
/// A sampler, split as Optuna's <c>BaseSampler</c>: per trial the driver calls <see cref="BeforeTrial"/>, then
/// <see cref="InferRelativeSearchSpace"/> and <see cref="SampleRelative"/> once (the joint part), then
/// <see cref="SampleIndependent"/> for each suggested param the relative sample does not cover, and
/// <see cref="AfterTrial"/> when the trial ends. <see cref="TrialSampling"/> does this in order for one trial.
/// Samplers read only the study view; what they want remembered comes back as system attributes for the driver to
/// record on the trial. All values are in internal representation.
/// </summary>
/// <remarks>
/// Reproducibility: a sampler's randomness for a trial is seeded from (seed, trial number, and the param name or
/// "relative"), so the same seed, trial number and visible history give the same params whatever order parallel
/// workers asked in.
/// </remarks>
internal interface ISampler
{
    /// <summary>System attributes to record on the trial before anything is sampled (a grid id, a generation).</summary>
    IReadOnlyDictionary<string, string> BeforeTrial(StudyView study, FrozenTrial trial);

    /// <summary>The joint search space for <see cref="SampleRelative"/>; empty when the sampler samples independently.</summary>
    IReadOnlyDictionary<string, ParamDistribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial);

    /// <summary>Params of the joint space sampled together (may be empty, e.g. during start-up trials).</summary>
    RelativeSample SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, ParamDistribution> searchSpace);

    /// <summary>One param sampled on its own (internal representation, inside <paramref name="distribution"/>).</summary>
    double SampleIndependent(StudyView study, FrozenTrial trial, string name, ParamDistribution distribution);

    /// <summary>Called once the trial is finished; <see cref="AfterTrialResult.StopStudy"/> asks the driver to stop.</summary>
    AfterTrialResult AfterTrial(StudyView study, FrozenTrial trial, TrialState state, IReadOnlyList<double>? values);
}

/// <summary>The joint sample of a trial and the system attributes to record with it (internal representation).</summary>
internal sealed record RelativeSample(IReadOnlyDictionary<string, double> Params, IReadOnlyDictionary<string, string> SystemAttrs)
{
    public static readonly RelativeSample Empty = new(new Dictionary<string, double>(), new Dictionary<string, string>());
}

/// <summary>What a sampler says after a trial: whether the study is done (every grid point visited).</summary>
internal sealed record AfterTrialResult(bool StopStudy)
{
    public static readonly AfterTrialResult Continue = new(false);
}
