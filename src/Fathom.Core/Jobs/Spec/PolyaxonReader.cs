using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Reads polyaxonfiles (<c>version: 1.1</c>, <c>kind: component</c> or <c>kind: operation</c>) as Polyaxon v1.x and
/// v2 write them, unchanged: YAML typed as PyYAML types it, within <see cref="Data.BoundedYaml"/>'s budget; every field
/// checked, each problem reported with the file, line and field, unknown fields with the nearest valid name. Fields
/// Fathom does not act on yet (presets, queue, plugins, hooks, init, sidecars, joins…) are accepted and kept out of
/// the model, so a file that runs on Polyaxon is never refused for them.
/// </summary>
internal static partial class PolyaxonReader
{
    /// <summary>The most a polyaxonfile may weigh; real ones are a few kilobytes.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    private static readonly string[] CommonKeys =
    [
        "version", "kind", "name", "description", "tags", "presets", "queue", "namespace", "cache", "termination", "plugins",
        "build", "hooks", "mount", "isApproved", "cost", "template", "strictParams", "contexts",
    ];

    private static readonly string[] ComponentKeys = [.. CommonKeys, "inputs", "outputs", "run"];

    private static readonly string[] OperationKeys =
    [
        .. CommonKeys, "hubRef", "pathRef", "urlRef", "dagRef", "component", "params", "runPatch", "patchStrategy", "isPreset",
        "matrix", "joins", "schedule", "events", "dependencies", "trigger", "conditions", "skipOnUpstreamSkip",
    ];

    /// <summary>Reads the file at <paramref name="path"/>; <paramref name="display"/> is how errors name it.</summary>
    public static PolyaxonDocument ReadFile(string path, string? display = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        display ??= path;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{display}: no such polyaxonfile.", path);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new ConfigException(new SourcePosition(display, 0, 0), "", $"is {info.Length:N0} bytes, more than a polyaxonfile may hold ({MaxFileBytes:N0}); refused.");
        }

        return Read(File.ReadAllText(path), display);
    }

    /// <summary>Reads polyaxonfile text; <paramref name="file"/> names it in errors.</summary>
    public static PolyaxonDocument Read(string text, string file)
    {
        var root = ConfigYaml.Load(text, file).Root;
        var reader = new SpecReader(rendered: false);
        CheckVersion(reader, root, file, required: true);
        var kind = reader.String(root, "kind", "");
        PolyaxonDocument? document = null;
        switch (kind)
        {
            case "component":
                reader.KnownKeys(root, "", ComponentKeys);
                document = new PolyaxonDocument(Component(reader, root, "", file), null, file);
                break;
            case "operation":
                reader.KnownKeys(root, "", OperationKeys);
                document = new PolyaxonDocument(null, Operation(reader, root, "", file), file);
                break;
            case null:
                reader.Error(root.Source, "kind", "is required: component or operation.");
                break;
            default:
                var nearest = ConfigBinder.Nearest(kind, ["component", "operation"]);
                reader.Error(root.TryGet("kind")!.Source, "kind", $"'{kind}' is not a file kind Fathom runs: component or operation{(nearest is null ? "" : $" (did you mean '{nearest}'?)")}.");
                break;
        }

        reader.ThrowIfErrors();
        return document!;
    }

    private static void CheckVersion(SpecReader reader, ConfigMap root, string file, bool required)
    {
        switch (root.TryGet("version"))
        {
            case null when required:
                reader.Error(new SourcePosition(file, root.Source.Line, 0), "version", "is required: version: 1.1");
                break;
            case null:
                break;
            case ConfigScalar { Kind: ScalarKind.Int or ScalarKind.Float } v when v.AsDouble is 1.0 or 1.1:
                break;
            case var other:
                reader.Error(other.Source, "version", $"{SpecReader.Describe(other)} is not a polyaxonfile version Fathom reads: 1.1 (1 and 1.0 are read as 1.1).");
                break;
        }
    }

    private static ComponentSpec Component(SpecReader reader, ConfigMap map, string path, string file)
    {
        var inputs = Io(reader, map, "inputs", path, isOutput: false);
        var outputs = Io(reader, map, "outputs", path, isOutput: true);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var io in inputs.Concat(outputs))
        {
            if (!names.Add(io.Name))
            {
                reader.Error(io.Source, SpecReader.Join(path, io.IsOutput ? "outputs" : "inputs"), $"'{io.Name}' is declared twice; inputs and outputs share one namespace.");
            }
        }

        var runNode = reader.Map(map.TryGet("run"), SpecReader.Join(path, "run"));
        RunSpec? run = null;
        if (runNode is null)
        {
            reader.Error(map.Source, SpecReader.Join(path, "run"), "is required: the run section (kind: job, service or dag).");
        }
        else
        {
            run = Run(reader, runNode, SpecReader.Join(path, "run"), file);
        }

        var terminationNode = map.TryGet("termination");
        return new ComponentSpec(
            reader.String(map, "name", path),
            reader.String(map, "description", path),
            reader.StringList(map, "tags", path),
            inputs,
            outputs,
            Termination(reader, terminationNode, SpecReader.Join(path, "termination")),
            run ?? new JobRunSpec(null, [], [], new ContainerSpec(null, null, null, [], [], null, [], null, [])),
            runNode ?? ConfigMap.Empty(map.Source),
            terminationNode,
            file);
    }

    /// <summary>Reads a termination section (templates allowed before rendering).</summary>
    public static TerminationSpec? Termination(SpecReader reader, ConfigNode? node, string path)
    {
        if (reader.Map(node, path) is not { } map)
        {
            return null;
        }

        reader.KnownKeys(map, path, ["maxRetries", "ttl", "timeout", "culling", "probe", "podFailurePolicy"]);
        var termination = new TerminationSpec(reader.Int(map, "maxRetries", path), reader.Int(map, "timeout", path), reader.Int(map, "ttl", path));
        foreach (var (key, value) in new[] { ("maxRetries", termination.MaxRetries), ("timeout", termination.Timeout), ("ttl", termination.Ttl) })
        {
            if (value < 0)
            {
                reader.Error(map.TryGet(key)!.Source, SpecReader.Join(path, key), "must not be negative.");
            }
        }

        return termination;
    }
}
