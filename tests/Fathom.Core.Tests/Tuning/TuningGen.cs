using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

/// <summary>Generators of search spaces for the property tests.</summary>
internal static class TuningGen
{
    public static readonly Gen<ParamDistribution> Float =
        Gen.Select(Gen.Int[-20, 20], Gen.Int[1, 40], Gen.Int[0, 3]).Select(p =>
        {
            var (low, width, kind) = p;
            return kind switch
            {
                0 => (ParamDistribution)new FloatDistribution(low / 2.0, low / 2.0 + width / 4.0),
                1 => new FloatDistribution(low / 2.0, low / 2.0 + width / 4.0, step: width / 40.0 + 0.05),
                2 => new FloatDistribution(Math.Abs(low) / 10.0 + 1e-3, Math.Abs(low) / 10.0 + 1e-3 + width, log: true),
                _ => new FloatDistribution(low, low + width / 8.0, step: 0.1),
            };
        });

    public static readonly Gen<ParamDistribution> Int =
        Gen.Select(Gen.Int[-20, 20], Gen.Int[0, 60], Gen.Int[1, 5], Gen.Bool).Select(p =>
        {
            var (low, width, step, log) = p;
            return log
                ? (ParamDistribution)new IntDistribution(Math.Abs(low) + 1, Math.Abs(low) + 1 + width * 10L, log: true)
                : new IntDistribution(low, low + width, step);
        });

    public static readonly Gen<ParamDistribution> Categorical =
        Gen.Int[1, 5].Select(n => (ParamDistribution)new CategoricalDistribution(
            Enumerable.Range(0, n).Select(Choice)));

    private static object? Choice(int i) => (i % 5) switch
    {
        0 => $"c{i}",
        1 => (long)i,
        2 => i + 0.5,
        3 => i % 2 == 0,
        _ => null,
    };

    public static readonly Gen<ParamDistribution> Distribution = Gen.OneOf(Float, Int, Categorical);

    /// <summary>1 to 5 params named p0…</summary>
    public static readonly Gen<List<KeyValuePair<string, ParamDistribution>>> Space =
        Distribution.List[1, 5].Select(ds => ds.Select((d, i) => new KeyValuePair<string, ParamDistribution>($"p{i}", d)).ToList());
}
