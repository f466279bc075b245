namespace Fathom.Tuning;

/// <summary>Options of <see cref="RandomSampler"/>.</summary>
internal sealed record RandomOptions(long? Seed = null) : SamplerOptions;

/// <summary>
/// Every param drawn uniformly in its transformed space (Optuna's <c>RandomSampler</c>): continuous floats in
/// <c>[low, high)</c> (log: in log space), every grid point of a stepped float or int equally likely, categoricals uniform.
/// </summary>
internal sealed class RandomSampler : ISampler
{
    private static readonly Dictionary<string, string> NoAttrs = [];
    private static readonly Dictionary<string, ParamDistribution> NoSpace = [];
    private readonly long _seed;

    public RandomSampler(RandomOptions? options = null) => _seed = options?.Seed ?? SamplerRandom.FreshSeed();

    public IReadOnlyDictionary<string, string> BeforeTrial(StudyView study, FrozenTrial trial) => NoAttrs;

    public IReadOnlyDictionary<string, ParamDistribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial) => NoSpace;

    public RelativeSample SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, ParamDistribution> searchSpace) =>
        RelativeSample.Empty;

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return Sample(distribution, SamplerRandom.For(_seed, trial.Number, name));
    }

    public AfterTrialResult AfterTrial(StudyView study, FrozenTrial trial, TrialState state, IReadOnlyList<double>? values) =>
        AfterTrialResult.Continue;

    /// <summary>One uniform draw in internal representation.</summary>
    public static double Sample(ParamDistribution distribution, Random rng)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(rng);
        switch (distribution)
        {
            case CategoricalDistribution c:
                return rng.Next(c.Choices.Count);
            case FloatDistribution { Step: null } f:
                if (f.Low == f.High)
                {
                    return f.Low;
                }
                var x = f.Log
                    ? Math.Exp(Uniform(rng, Math.Log(f.Low), Math.Log(f.High)))
                    : Uniform(rng, f.Low, f.High);
                // Optuna keeps continuous floats in [low, high).
                return Math.Clamp(x, f.Low, Math.BitDecrement(f.High));
            case FloatDistribution { Step: { } step } f:
                return OnGrid(Uniform(rng, f.Low - step / 2, f.High + step / 2), f.Low, f.High, step);
            case IntDistribution { Log: true } i:
                var u = Uniform(rng, Math.Log(i.Low - 0.5), Math.Log(i.High + 0.5));
                return Math.Clamp(Math.Round(Math.Exp(u)), i.Low, i.High);
            case IntDistribution i:
                return OnGrid(Uniform(rng, i.Low - i.Step / 2.0, i.High + i.Step / 2.0), i.Low, i.High, i.Step);
            default:
                throw new ArgumentException($"Unknown distribution {distribution}.", nameof(distribution));
        }
    }

    /// <summary>The grid point nearest to <paramref name="x"/>, clipped to the bounds.</summary>
    public static double OnGrid(double x, double low, double high, double step) =>
        Math.Clamp(low + Math.Round((x - low) / step) * step, low, high);

    private static double Uniform(Random rng, double low, double high) => low + rng.NextDouble() * (high - low);
}
