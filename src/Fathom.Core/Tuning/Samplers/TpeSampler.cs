using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fathom.Tuning;

/// <summary>
/// Tree-structured Parzen Estimator (Optuna's <c>TPESampler</c>, 4.9 maths): after the start-up trials, finished
/// trials are split into a good set (γ(n) best; for several objectives whole non-domination ranks, the last one cut
/// by HSSP) and the rest; a Parzen estimator is fitted to each, <c>n_ei_candidates</c> points are drawn from the good
/// one and the point maximising log l(x) − log g(x) is suggested. Univariate by default; multivariate samples the
/// intersection space jointly, grouped samples each group of co-occurring params jointly. With the constant liar,
/// running trials join the bad set, their joint params read from the <c>tpe:relative_params</c> attribute.
/// </summary>
internal sealed partial class TpeSampler : ISampler
{
    /// <summary>System attribute holding a running trial's joint params (internal representation, JSON object).</summary>
    public const string RelativeParamsKey = "tpe:relative_params";

    private static readonly Dictionary<string, string> NoAttrs = [];
    private static readonly Dictionary<string, ParamDistribution> NoSpace = [];

    private readonly TpeOptions _options;
    private readonly ParzenOptions _parzen;
    private readonly long _seed;
    private readonly Lock _cacheLock = new();
    private readonly SearchSpaceTracker _spaces = new();
    private readonly Dictionary<string, SpaceRows> _rows = new(StringComparer.Ordinal);
    private (StudyView Study, int Trial, Split Split)? _splitCache;

    public TpeSampler(TpeOptions? options = null)
    {
        _options = options ?? new TpeOptions();
        _options.Validate();
        _parzen = _options.Parzen;
        _seed = _options.Seed ?? SamplerRandom.FreshSeed();
    }

    public TpeOptions Options => _options;

    public IReadOnlyDictionary<string, string> BeforeTrial(StudyView study, FrozenTrial trial) => NoAttrs;

    public IReadOnlyDictionary<string, ParamDistribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial)
    {
        if (!_options.Multivariate)
        {
            return NoSpace;
        }
        _spaces.Update(study);
        var pairs = _options.Group ? _spaces.Groups.SelectMany(g => g) : _spaces.Intersection;
        return pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    public RelativeSample SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, ParamDistribution> searchSpace)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(searchSpace);
        if (searchSpace.Count == 0 || CountFinished(study) < _options.NStartupTrials)
        {
            return RelativeSample.Empty;
        }
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        _spaces.Update(study);
        var spaces = _options.Group
            ? _spaces.Groups.Select(g => g.Where(p => searchSpace.ContainsKey(p.Key)).ToList())
            : [searchSpace.OrderBy(p => p.Key, StringComparer.Ordinal).ToList()];
        foreach (var space in spaces.Where(s => s.Count > 0))
        {
            var rng = SamplerRandom.For(_seed, trial.Number, "relative:" + string.Join(',', space.Select(p => p.Key)));
            foreach (var (name, value) in Sample(study, trial, space, rng))
            {
                result[name] = value;
            }
        }
        var attrs = _options.ConstantLiar && result.Count > 0
            ? new Dictionary<string, string> { [RelativeParamsKey] = WriteParams(result) }
            : NoAttrs;
        return new RelativeSample(result, attrs);
    }

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(distribution);
        var rng = SamplerRandom.For(_seed, trial.Number, name);
        if (CountFinished(study) < _options.NStartupTrials)
        {
            return RandomSampler.Sample(distribution, rng);
        }
        return Sample(study, trial, [new(name, distribution)], rng)[name];
    }

    public AfterTrialResult AfterTrial(StudyView study, FrozenTrial trial, TrialState state, IReadOnlyList<double>? values) =>
        AfterTrialResult.Continue;

    private static int CountFinished(StudyView study)
    {
        var n = 0;
        foreach (var t in study.Trials)
        {
            if (t.State is TrialState.Complete or TrialState.Pruned)
            {
                n++;
            }
        }
        return n;
    }

    private Dictionary<string, double> Sample(
        StudyView study, FrozenTrial trial, List<KeyValuePair<string, ParamDistribution>> space, Random rng)
    {
        var split = GetSplit(study, trial);
        var below = Observations(study, split.Below, space);
        double[]? belowWeights = null;
        if (study.IsMultiObjective)
        {
            var all = MotpeWeights(study, split.Below);
            belowWeights = [.. all.Where((_, i) => below.Mask[i])];
        }
        var above = Observations(study, split.Above, space);
        var l = new ParzenEstimator(space, below.Columns, _parzen, belowWeights, below.Orders);
        var g = new ParzenEstimator(space, above.Columns, _parzen, orders: above.Orders);
        var candidates = l.Sample(rng, _options.NEiCandidates);
        var logBelow = l.LogPdf(candidates);
        var logAbove = g.LogPdf(candidates);
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < candidates.Length; i++)
        {
            var score = logBelow[i] - logAbove[i];
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }
        var result = new Dictionary<string, double>(space.Count, StringComparer.Ordinal);
        for (var j = 0; j < space.Count; j++)
        {
            result[space[j].Key] = candidates[best][j];
        }
        return result;
    }

    private Split GetSplit(StudyView study, FrozenTrial trial)
    {
        // The driver passes one view for all suggestions of a trial: the split is the same for each of them.
        lock (_cacheLock)
        {
            if (_splitCache is { } c && ReferenceEquals(c.Study, study) && c.Trial == trial.Number)
            {
                return c.Split;
            }
        }
        var trials = new List<FrozenTrial>(study.Trials.Count);
        var n = 0;
        foreach (var t in study.Trials)
        {
            if (t.State is TrialState.Complete or TrialState.Pruned)
            {
                trials.Add(t);
                n++;
            }
            else if (_options.ConstantLiar && t.State == TrialState.Running && t.Number != trial.Number)
            {
                trials.Add(t);
            }
        }
        var split = SplitTrials(study, trials, _options.Gamma(n));
        lock (_cacheLock)
        {
            _splitCache = (study, trial.Number, split);
        }
        return split;
    }

    internal static string WriteParams(IReadOnlyDictionary<string, double> parameters)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(name, value);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static Dictionary<string, double>? ReadParams(FrozenTrial trial)
    {
        if (!trial.SystemAttrs.TryGetValue(RelativeParamsKey, out var json))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                result[p.Name] = p.Value.GetDouble();
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // A half-written attribute is read as absent, as Optuna does.
            return null;
        }
    }

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
