using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Reads an operation's <c>matrix</c> as Polyaxon 1.1 files write it (see <c>../shared/reference/polyaxonfile-spec.md</c>
/// §8): <c>kind</c> grid, random, bayes, hyperopt or hyperband with its keys, <c>params</c> with their generators, each
/// value list in any of Polyaxon's three forms (a list, a mapping, or <c>'a:b:c'</c>). Problems are collected by the
/// spec reader with the file, line and field.
/// </summary>
internal static class MatrixReader
{
    public static readonly string[] Kinds = ["grid", "random", "bayes", "hyperopt", "hyperband", "mapping", "iterative"];

    private static readonly string[] CommonKeys = ["kind", "params", "concurrency", "earlyStopping", "seed"];

    private static readonly Dictionary<string, string[]> KindKeys = new(StringComparer.Ordinal)
    {
        ["grid"] = [.. CommonKeys, "numRuns"],
        ["random"] = [.. CommonKeys, "numRuns"],
        ["bayes"] = [.. CommonKeys, "numInitialRuns", "maxIterations", "metric", "utilityFunction", "tuner"],
        ["hyperopt"] = [.. CommonKeys, "algorithm", "numRuns", "maxIterations", "metric", "tuner"],
        ["hyperband"] = [.. CommonKeys, "maxIterations", "eta", "resource", "metric", "resume", "tuner"],
        ["mapping"] = [.. CommonKeys, "values"],
        ["iterative"] = [.. CommonKeys, "maxIterations", "tuner"],
    };

    // Named fields of the mapping form, in the order the list form gives them.
    private static readonly Dictionary<string, string[]> FieldNames = new(StringComparer.Ordinal)
    {
        ["range"] = ["start", "stop", "step"],
        ["linspace"] = ["start", "stop", "num"],
        ["logspace"] = ["start", "stop", "num", "base"],
        ["geomspace"] = ["start", "stop", "num"],
        ["uniform"] = ["low", "high"],
        ["quniform"] = ["low", "high", "q"],
        ["loguniform"] = ["low", "high"],
        ["qloguniform"] = ["low", "high", "q"],
        ["normal"] = ["loc", "scale"],
        ["qnormal"] = ["loc", "scale", "q"],
        ["lognormal"] = ["loc", "scale"],
        ["qlognormal"] = ["loc", "scale", "q"],
        ["daterange"] = ["start", "stop", "step"],
        ["datetimerange"] = ["start", "stop", "step"],
    };

    public static IReadOnlyCollection<string> Generators { get; } = [.. FieldNames.Keys, "choice", "pchoice"];

    public static MatrixSpec? Read(SpecReader reader, ConfigNode? node, string path)
    {
        if (reader.Map(node, path) is not { } map)
        {
            return null;
        }

        var kind = reader.Required(map, "kind", path);
        if (kind is null)
        {
            return null;
        }

        if (!KindKeys.TryGetValue(kind, out var keys))
        {
            var nearest = ConfigBinder.Nearest(kind, Kinds);
            reader.Error(map.TryGet("kind")!.Source, SpecReader.Join(path, "kind"),
                $"'{kind}' is not a matrix kind{(nearest is null ? "" : $"; did you mean '{nearest}'?")} (one of {string.Join(", ", Kinds)}).");
            return null;
        }

        reader.KnownKeys(map, path, keys);
        var parameters = new List<MatrixParam>();
        var paramsPath = SpecReader.Join(path, "params");
        if (reader.Map(map.TryGet("params"), paramsPath) is { } paramsMap)
        {
            foreach (var entry in paramsMap.Entries)
            {
                if (Param(reader, entry, SpecReader.Join(paramsPath, entry.Key)) is { } param)
                {
                    parameters.Add(param);
                }
            }
        }

        MatrixMetric? metric = null;
        var metricPath = SpecReader.Join(path, "metric");
        if (reader.Map(map.TryGet("metric"), metricPath) is { } metricMap)
        {
            reader.KnownKeys(metricMap, metricPath, ["name", "optimization"]);
            var name = reader.Required(metricMap, "name", metricPath);
            var optimization = reader.String(metricMap, "optimization", metricPath) ?? "maximize";
            if (optimization is not ("maximize" or "minimize"))
            {
                reader.Error(metricMap.TryGet("optimization")!.Source, SpecReader.Join(metricPath, "optimization"), $"'{optimization}' is not maximize or minimize.");
            }

            metric = name is null ? null : new MatrixMetric(name, optimization == "maximize");
        }

        string? resource = null;
        var resourcePath = SpecReader.Join(path, "resource");
        if (reader.Map(map.TryGet("resource"), resourcePath) is { } resourceMap)
        {
            reader.KnownKeys(resourceMap, resourcePath, ["name", "type"]);
            resource = reader.Required(resourceMap, "name", resourcePath);
        }

        var concurrency = reader.Int(map, "concurrency", path) ?? 1;
        if (concurrency < 1)
        {
            reader.Error(map.TryGet("concurrency")!.Source, SpecReader.Join(path, "concurrency"), $"must be 1 or more, not {concurrency}.");
        }

        var seed = reader.Int(map, "seed", path);
        return new MatrixSpec(
            kind,
            parameters,
            reader.Int(map, "numRuns", path),
            Math.Max(1, concurrency),
            seed,
            metric,
            reader.Int(map, "maxIterations", path),
            reader.Int(map, "numInitialRuns", path),
            reader.Int(map, "eta", path) ?? 3,
            resource,
            reader.String(map, "algorithm", path),
            map.Source);
    }

    private static MatrixParam? Param(SpecReader reader, ConfigEntry entry, string path)
    {
        if (reader.Map(entry.Value, path) is not { } map)
        {
            return null;
        }

        reader.KnownKeys(map, path, ["kind", "value"]);
        var kind = reader.Required(map, "kind", path);
        var value = map.TryGet("value");
        if (kind is null)
        {
            return null;
        }

        if (!Generators.Contains(kind))
        {
            var nearest = ConfigBinder.Nearest(kind, Generators);
            reader.Error(map.TryGet("kind")!.Source, SpecReader.Join(path, "kind"),
                $"'{kind}' is not a param generator{(nearest is null ? "" : $"; did you mean '{nearest}'?")} (one of {string.Join(", ", Generators)}).");
            return null;
        }

        var valuePath = SpecReader.Join(path, "value");
        if (value is null or ConfigScalar { Kind: ScalarKind.Null })
        {
            reader.Error(map.Source, valuePath, "is required.");
            return null;
        }

        IReadOnlyList<ConfigNode> values;
        switch (value)
        {
            case ConfigList list:
                values = list.Items;
                break;
            case ConfigMap fields when FieldNames.TryGetValue(kind, out var names):
                reader.KnownKeys(fields, valuePath, names);
                values = [.. names.Select(n => fields.TryGet(n)).TakeWhile(n => n is not null).Select(n => n!)];
                break;
            case ConfigScalar { Kind: ScalarKind.String } text when FieldNames.ContainsKey(kind) && text.Text.Contains(':', StringComparison.Ordinal):
                values = [.. text.Text.Split(':').Select(part => Scalar(part.Trim(), text.Source))];
                break;
            default:
                reader.Error(value.Source, valuePath, kind is "choice" or "pchoice"
                    ? "expected a list of values."
                    : $"expected [{string.Join(", ", FieldNames[kind])}] as a list, a mapping or '{string.Join(":", FieldNames[kind])}'.");
                return null;
        }

        return new MatrixParam(entry.Key, kind, values, entry.KeySource);
    }

    // A part of 'a:b:c' typed as YAML would type it on its own: an integer, a float, else text.
    private static ConfigScalar Scalar(string text, SourcePosition source) =>
        long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? ConfigScalar.Of(n, source)
        : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? ConfigScalar.Of(d, source)
        : ConfigScalar.Of(text, source);
}
