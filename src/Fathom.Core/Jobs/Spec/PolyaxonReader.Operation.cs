using Fathom.Config;

namespace Fathom.Jobs;

internal static partial class PolyaxonReader
{
    // A mapping is a param's full form when it holds one of these keys (Polyaxon v2.13's short-form rule); {} is full form.
    private static readonly string[] ParamKeys = ["value", "ref", "contextOnly", "connection", "toInit", "toEnv"];

    private static readonly string[] ComponentRefs = ["hubRef", "pathRef", "urlRef", "dagRef", "component"];

    private static readonly Dictionary<string, DagTrigger> Triggers = new(StringComparer.Ordinal)
    {
        ["all_succeeded"] = DagTrigger.AllSucceeded,
        ["all_failed"] = DagTrigger.AllFailed,
        ["all_done"] = DagTrigger.AllDone,
        ["one_succeeded"] = DagTrigger.OneSucceeded,
        ["one_failed"] = DagTrigger.OneFailed,
        ["one_done"] = DagTrigger.OneDone,
    };

    private static OperationSpec Operation(SpecReader reader, ConfigMap map, string path, string file)
    {
        var refs = ComponentRefs.Where(k => map.IndexOf(k) >= 0).ToList();
        if (refs.Count != 1)
        {
            reader.Error(map.Source, path.Length == 0 ? "component" : path,
                refs.Count == 0
                    ? "an operation names its component: pathRef (a file), hubRef, urlRef, dagRef or an inline component."
                    : $"an operation names one component, not {string.Join(" and ", refs)}.");
        }

        ComponentSpec? component = null;
        if (reader.Map(map.TryGet("component"), SpecReader.Join(path, "component")) is { } inline)
        {
            reader.KnownKeys(inline, SpecReader.Join(path, "component"), ComponentKeys);
            CheckVersion(reader, inline, file, required: false);
            component = Component(reader, inline, SpecReader.Join(path, "component"), file);
        }

        var parameters = new Dictionary<string, OperationParam>(StringComparer.Ordinal);
        if (reader.Map(map.TryGet("params"), SpecReader.Join(path, "params")) is { } paramsMap)
        {
            foreach (var entry in paramsMap.Entries)
            {
                parameters[entry.Key] = Param(reader, entry, SpecReader.Join(SpecReader.Join(path, "params"), entry.Key));
            }
        }

        var triggerText = reader.String(map, "trigger", path);
        var trigger = DagTrigger.AllSucceeded;
        if (triggerText is not null && !Triggers.TryGetValue(triggerText, out trigger))
        {
            reader.Error(map.TryGet("trigger")!.Source, SpecReader.Join(path, "trigger"),
                $"'{triggerText}' is not a trigger{Suggest(triggerText, Triggers.Keys)}; use one of {string.Join(", ", Triggers.Keys)}.");
        }

        var runPatch = reader.Map(map.TryGet("runPatch"), SpecReader.Join(path, "runPatch"));
        var strategy = reader.String(map, "patchStrategy", path);
        if (strategy is not null and not ("replace" or "isnull" or "post_merge" or "pre_merge"))
        {
            reader.Error(map.TryGet("patchStrategy")!.Source, SpecReader.Join(path, "patchStrategy"), $"'{strategy}' is not replace, isnull, post_merge or pre_merge{Suggest(strategy, ["replace", "isnull", "post_merge", "pre_merge"])}.");
        }

        var terminationNode = map.TryGet("termination");
        Termination(reader, terminationNode, SpecReader.Join(path, "termination"));
        return new OperationSpec(
            reader.String(map, "name", path),
            reader.String(map, "description", path),
            map.IndexOf("tags") >= 0 ? reader.StringList(map, "tags", path) : null,
            parameters,
            reader.String(map, "pathRef", path),
            reader.String(map, "hubRef", path),
            reader.String(map, "urlRef", path),
            reader.String(map, "dagRef", path),
            component,
            runPatch,
            terminationNode,
            reader.StringList(map, "dependencies", path),
            trigger,
            reader.String(map, "conditions", path),
            reader.Bool(map, "skipOnUpstreamSkip", path),
            file,
            map.Source)
        {
            Matrix = MatrixReader.Read(reader, map.TryGet("matrix"), SpecReader.Join(path, "matrix")),
        };
    }

    private static OperationParam Param(SpecReader reader, ConfigEntry entry, string path)
    {
        if (entry.Value is ConfigMap map && (map.Entries.Length == 0 || map.Entries.Any(e => ParamKeys.Contains(e.Key))))
        {
            reader.KnownKeys(map, path, ParamKeys);
            var reference = reader.String(map, "ref", path);
            var value = map.TryGet("value");
            if (reference is not null && value is not null and not ConfigScalar { Kind: ScalarKind.String })
            {
                reader.Error(value.Source, SpecReader.Join(path, "value"), "must be a string (such as outputs.loss) when a ref is given.");
            }

            return new OperationParam(value, reference, reader.Bool(map, "contextOnly", path), reader.String(map, "toEnv", path), reader.String(map, "connection", path), entry.KeySource);
        }

        return new OperationParam(entry.Value, null, false, null, null, entry.KeySource);
    }
}
