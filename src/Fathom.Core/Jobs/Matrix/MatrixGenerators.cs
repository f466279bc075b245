using Fathom.Config;
using Fathom.Tuning;

namespace Fathom.Jobs;

/// <summary>
/// Polyaxon's param generators as values or distributions. Discrete ones expand as numpy does: <c>range</c> as
/// <c>arange</c> (stop excluded), <c>linspace</c>, <c>logspace</c> (<c>base ** linspace</c>, base 10 by default) and
/// <c>geomspace</c> with both ends. Continuous ones map onto the samplers' float distributions; those with no bounded
/// counterpart (normal, lognormal and their q- forms, weighted pchoice, dates) are refused by name.
/// </summary>
internal static class MatrixGenerators
{
    /// <summary>The most values one discrete generator may give.</summary>
    public const int MaxValues = 100_000;

    /// <summary>The values of a discrete generator, or null when <paramref name="param"/> is continuous.</summary>
    public static IReadOnlyList<object?>? Discrete(MatrixParam param, string where)
    {
        ArgumentNullException.ThrowIfNull(param);
        switch (param.Kind)
        {
            case "choice":
                if (param.Values.Count == 0)
                {
                    throw new ConfigException(param.Source, where + ".value", "a choice needs at least one value.");
                }

                return [.. param.Values.Select((v, i) => Scalar(v, $"{where}.value[{i}]"))];
            case "range":
                {
                    var (start, stop, step) = (Number(param, 0, where), Number(param, 1, where), Number(param, 2, where, 1));
                    if (step == 0)
                    {
                        throw new ConfigException(param.Source, where + ".value", "a range's step cannot be 0.");
                    }

                    var count = Math.Max(0, (long)Math.Ceiling((stop - start) / step));
                    CheckCount(param, where, count);
                    var integral = param.Values.Take(3).All(v => v is ConfigScalar { Kind: ScalarKind.Int });
                    return [.. Enumerable.Range(0, (int)count).Select(i => integral ? (object)(long)(start + (i * step)) : start + (i * step))];
                }

            case "linspace":
                return Spaced(param, where, x => x);
            case "logspace":
                {
                    var @base = param.Values.Count > 3 ? Number(param, 3, where) : 10;
                    return Spaced(param, where, x => Math.Pow(@base, x));
                }

            case "geomspace":
                {
                    var (start, stop) = (Number(param, 0, where), Number(param, 1, where));
                    if (start <= 0 || stop <= 0)
                    {
                        throw new ConfigException(param.Source, where + ".value", "geomspace needs positive start and stop.");
                    }

                    var num = Count(param, where);
                    return [.. Enumerable.Range(0, num).Select(i => num == 1 ? start : start * Math.Pow(stop / start, (double)i / (num - 1)))];
                }

            case "daterange" or "datetimerange" or "pchoice":
                throw new ConfigException(param.Source, where + ".kind", $"{param.Kind} cannot run here: Fathom's samplers have no {(param.Kind == "pchoice" ? "weighted choice" : "date")} params; use choice with the values.");
            default:
                return null;
        }
    }

    /// <summary>The float distribution of a continuous generator.</summary>
    public static ParamDistribution Continuous(MatrixParam param, string where)
    {
        ArgumentNullException.ThrowIfNull(param);
        try
        {
            return param.Kind switch
            {
                "uniform" => new FloatDistribution(Number(param, 0, where), Number(param, 1, where)),
                "quniform" => new FloatDistribution(Number(param, 0, where), Number(param, 1, where), Number(param, 2, where)),
                "loguniform" => new FloatDistribution(Math.Exp(Number(param, 0, where)), Math.Exp(Number(param, 1, where)), log: true),
                _ => throw new ConfigException(param.Source, where + ".kind",
                    $"{param.Kind} cannot run here: it has no bounded counterpart in Fathom's samplers; use uniform, quniform or loguniform (bounds in log space, as hyperopt's)."),
            };
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(param.Source, where + ".value", e.Message);
        }
    }

    private static List<object?> Spaced(MatrixParam param, string where, Func<double, double> map)
    {
        var (start, stop) = (Number(param, 0, where), Number(param, 1, where));
        var num = Count(param, where);
        return [.. Enumerable.Range(0, num).Select(i => (object?)map(num == 1 ? start : start + ((stop - start) * i / (num - 1))))];
    }

    private static int Count(MatrixParam param, string where)
    {
        var num = Number(param, 2, where);
        if (num < 1 || num != Math.Floor(num))
        {
            throw new ConfigException(param.Source, where + ".value", $"num must be a whole number of 1 or more, not {num}.");
        }

        CheckCount(param, where, (long)num);
        return (int)num;
    }

    private static void CheckCount(MatrixParam param, string where, long count)
    {
        if (count > MaxValues)
        {
            throw new ConfigException(param.Source, where + ".value", $"gives {count:N0} values, more than {MaxValues:N0}.");
        }
    }

    private static double Number(MatrixParam param, int index, string where, double? fallback = null)
    {
        if (index >= param.Values.Count)
        {
            return fallback ?? throw new ConfigException(param.Source, where + ".value", $"{param.Kind} needs {(index + 1)} numbers or more; it has {param.Values.Count}.");
        }

        return param.Values[index] is ConfigScalar { Kind: ScalarKind.Int or ScalarKind.Float } s
            ? s.AsDouble
            : throw new ConfigException(param.Values[index].Source, $"{where}.value[{index}]", $"expected a number, got {SpecReader.Describe(param.Values[index])}.");
    }

    private static object? Scalar(ConfigNode node, string where) => node is ConfigScalar s
        ? s.Value
        : throw new ConfigException(node.Source, where, $"a choice's values are plain values, not {SpecReader.Describe(node)}.");
}
