namespace Fathom.Tuning;

/// <summary>
/// One trial as the samplers and pruners see it (Optuna's <c>FrozenTrial</c>): params in internal representation with
/// their distributions, one value per objective once complete, intermediate values by step, and system attributes
/// (strings) that samplers and pruners ask the driver to record. Immutable: a change is a new record.
/// </summary>
internal sealed record FrozenTrial(
    int Number,
    TrialState State,
    IReadOnlyDictionary<string, double> Params,
    IReadOnlyDictionary<string, ParamDistribution> Distributions,
    IReadOnlyList<double>? Values,
    IReadOnlyDictionary<int, double> IntermediateValues,
    IReadOnlyDictionary<string, string> SystemAttrs)
{
    private static readonly Dictionary<string, double> NoParams = [];
    private static readonly Dictionary<string, ParamDistribution> NoDistributions = [];
    private static readonly Dictionary<int, double> NoIntermediate = [];
    private static readonly Dictionary<string, string> NoAttrs = [];

    /// <summary>A new running trial with nothing suggested yet.</summary>
    public static FrozenTrial Running(int number) =>
        new(number, TrialState.Running, NoParams, NoDistributions, null, NoIntermediate, NoAttrs);

    /// <summary>A finished trial built in one go (tests, benchmarks, replays of a stored study).</summary>
    public static FrozenTrial Create(
        int number,
        TrialState state,
        IReadOnlyDictionary<string, (ParamDistribution Distribution, double Value)> parameters,
        IReadOnlyList<double>? values = null,
        IReadOnlyDictionary<int, double>? intermediateValues = null,
        IReadOnlyDictionary<string, string>? systemAttrs = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var p = new Dictionary<string, double>(parameters.Count);
        var d = new Dictionary<string, ParamDistribution>(parameters.Count);
        foreach (var (name, (distribution, value)) in parameters)
        {
            p[name] = value;
            d[name] = distribution;
        }
        return new(number, state, p, d, values, intermediateValues ?? NoIntermediate, systemAttrs ?? NoAttrs);
    }

    /// <summary>The single objective's value (null unless complete, or pruned with a recorded value).</summary>
    public double? Value => Values is [var v] ? v : null;

    /// <summary>The largest reported step, or null when nothing was reported.</summary>
    public int? LastStep => IntermediateValues.Count == 0 ? null : IntermediateValues.Keys.Max();

    public bool IsFinished => State is TrialState.Complete or TrialState.Pruned or TrialState.Failed;

    /// <summary>The trial with one more param (internal representation).</summary>
    public FrozenTrial WithParam(string name, ParamDistribution distribution, double internalValue)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(distribution);
        var p = new Dictionary<string, double>(Params) { [name] = internalValue };
        var d = new Dictionary<string, ParamDistribution>(Distributions) { [name] = distribution };
        return this with { Params = p, Distributions = d };
    }

    /// <summary>The trial with an intermediate value at a step; a step reported before keeps its first value, as Optuna.</summary>
    public FrozenTrial WithReport(int step, double value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (IntermediateValues.ContainsKey(step))
        {
            return this;
        }
        return this with { IntermediateValues = new Dictionary<int, double>(IntermediateValues) { [step] = value } };
    }

    /// <summary>The trial with system attributes merged in (later keys win).</summary>
    public FrozenTrial WithSystemAttrs(IReadOnlyDictionary<string, string> attrs)
    {
        ArgumentNullException.ThrowIfNull(attrs);
        if (attrs.Count == 0)
        {
            return this;
        }
        var merged = new Dictionary<string, string>(SystemAttrs);
        foreach (var (k, v) in attrs)
        {
            merged[k] = v;
        }
        return this with { SystemAttrs = merged };
    }

    /// <summary>
    /// The finished trial, with Optuna's <c>tell</c> rules: complete needs one finite value per objective (else the
    /// trial fails); pruned keeps the last intermediate value when there is one (single objective); failed has none.
    /// </summary>
    public FrozenTrial Finish(TrialState state, IReadOnlyList<double>? values, int objectives)
    {
        switch (state)
        {
            case TrialState.Complete:
                if (values is null || values.Count != objectives || values.Any(v => !double.IsFinite(v)))
                {
                    return this with { State = TrialState.Failed, Values = null };
                }
                return this with { State = TrialState.Complete, Values = [.. values] };
            case TrialState.Pruned:
                var last = LastStep is { } step && objectives == 1 && double.IsFinite(IntermediateValues[step])
                    ? new[] { IntermediateValues[step] }
                    : null;
                return this with { State = TrialState.Pruned, Values = last };
            case TrialState.Failed:
                return this with { State = TrialState.Failed, Values = null };
            default:
                throw new ArgumentException($"A trial finishes as complete, pruned or failed, not {state}.", nameof(state));
        }
    }
}
