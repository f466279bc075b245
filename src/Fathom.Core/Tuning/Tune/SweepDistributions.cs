using System.Globalization;
using Fathom.Config;

namespace Fathom.Tuning;

/// <summary>
/// Hydra's override grammar as a tuner's search space, as the Optuna sweeper maps it
/// (<c>create_optuna_distribution_from_override</c>): <c>choice(a,b)</c> and <c>a,b</c> are categorical; an integer
/// <c>range(start, stop[, step])</c> is an int distribution with both bounds inclusive (unlike the basic sweeper), a float
/// one a stepped float; <c>shuffle(range(…))</c> is categorical over the range's values; <c>interval(a, b)</c> is a float,
/// <c>int(interval(a, b))</c> an int, <c>tag(log, …)</c> on a log scale. A plain value is a fixed param, given to every
/// trial. Scalars come back as the values trials receive (long, double, string, bool, null).
/// </summary>
internal static class SweepDistributions
{
    /// <summary>The distribution a sweep override stands for; null for a plain (fixed) value.</summary>
    public static ParamDistribution? From(Override sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        try
        {
            return sweep.Value switch
            {
                ChoiceSweep c => new CategoricalDistribution(c.Choices.Select(n => Scalar(sweep, n))),
                RangeSweep { Shuffle: true } r => new CategoricalDistribution(SweepValues.RangeValues(r, sweep.Source).Select(n => Scalar(sweep, n))),
                RangeSweep { IsFloat: true } r => new FloatDistribution(r.Start, r.Stop, r.Step),
                RangeSweep r => new IntDistribution((long)r.Start, (long)r.Stop, (long)r.Step),
                IntervalSweep { IsInt: true } i => new IntDistribution((long)Math.Ceiling(i.Start), (long)Math.Floor(i.End), log: i.Tags.Contains("log")),
                IntervalSweep i => new FloatDistribution(i.Start, i.End, log: i.Tags.Contains("log")),
                GlobSweep => throw new ConfigException(sweep.Source, sweep.Key, $"glob(…) picks config files; a tuner cannot search it ('{sweep.Input}')."),
                ElementValue => null,
                _ => throw new ConfigException(sweep.Source, sweep.Key, $"'{sweep.Input}' is not a search space."),
            };
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(sweep.Source, sweep.Key, e.Message);
        }
    }

    /// <summary>A value a trial receives as a config scalar, for its override text.</summary>
    public static ConfigScalar ToScalar(object? value) => value switch
    {
        null => ConfigScalar.Null(SourcePosition.Generated),
        bool b => ConfigScalar.Of(b, SourcePosition.Generated),
        long l => ConfigScalar.Of(l, SourcePosition.Generated),
        double d => ConfigScalar.Of(d, SourcePosition.Generated),
        string s => ConfigScalar.Of(s, SourcePosition.Generated),
        _ => throw new ArgumentException($"Not a param value: {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>The override a trial gets for one param: <c>key=value</c> in Hydra's grammar (strings escaped or quoted).</summary>
    public static string OverrideText(string key, object? value) => key + "=" + SweepValues.ToOverrideText(ToScalar(value));

    /// <summary>The override a trial gets for a fixed param.</summary>
    public static string OverrideText(string key, ConfigNode value) => key + "=" + SweepValues.ToOverrideText(value);

    /// <summary>The value as a run param, as Python's <c>str</c> writes it (what a flattened Hydra config logs, so a trial's own logging agrees).</summary>
    public static string ParamText(object? value) => ToScalar(value).Describe();

    /// <summary>A fixed param's value as a run param (lists as Python prints them, as a flattened config logs them).</summary>
    public static string ParamText(ConfigNode value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value is ConfigScalar scalar
            ? scalar.Describe()
            : HydraRun.Flatten(ConfigMap.Empty(SourcePosition.Generated).With("v", value)).GetValueOrDefault("v") ?? value.Describe();
    }

    /// <summary>
    /// The values a grid sampler walks for a distribution, as the Optuna sweeper builds them: the choices, or
    /// <c>low + i·step</c> below high; a continuous distribution cannot be a grid.
    /// </summary>
    public static IReadOnlyList<object?> GridValues(string name, ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        switch (distribution)
        {
            case CategoricalDistribution c:
                return c.Choices;
            case IntDistribution { Log: false } i:
                var ints = new List<object?>();
                for (var v = i.Low; v < i.High; v += i.Step)
                {
                    ints.Add(v);
                }

                return ints.Count > 0 ? ints : [i.Low];
            case FloatDistribution { Step: { } step } f:
                var low = Decimal(f.Low);
                var dStep = Decimal(step);
                var count = (int)Math.Floor((Decimal(f.High) - low) / dStep);
                var floats = Enumerable.Range(0, Math.Max(count, 1)).Select(k => (object?)(double)(low + (k * dStep))).ToList();
                return floats;
            default:
                throw new ArgumentException($"search space '{name}': GridSampler only supports discrete distributions ({distribution}).");
        }
    }

    private static decimal Decimal(double value) =>
        decimal.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static object? Scalar(Override sweep, ConfigNode node) => node switch
    {
        ConfigScalar { Kind: ScalarKind.Null } => null,
        ConfigScalar { Kind: ScalarKind.Bool } b => (bool)b.Value!,
        ConfigScalar { Kind: ScalarKind.Int } i => (long)i.Value!,
        ConfigScalar { Kind: ScalarKind.Float } f => f.AsDouble,
        ConfigScalar s => (string)s.Value!,
        _ => throw new ConfigException(sweep.Source, sweep.Key, $"a choice must be a str, int, float, bool or null, not {node.Describe()} ('{sweep.Input}')."),
    };
}
