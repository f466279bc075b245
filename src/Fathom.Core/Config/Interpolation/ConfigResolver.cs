using System.Globalization;
using System.Text;

namespace Fathom.Config;

/// <summary>
/// Resolves OmegaConf interpolations over a composed tree: node references keep the referenced value's type when the
/// string is one interpolation, and concatenate as text otherwise; resolvers <c>oc.env</c>, <c>oc.decode</c>,
/// <c>oc.select</c>, <c>oc.dict.keys</c>, <c>oc.dict.values</c>, <c>now</c> and <c>hydra</c>. A cycle is an error naming its
/// keys; a reference to <c>???</c> is a missing mandatory value. <c>???</c> itself stays as it is (as in
/// <c>OmegaConf.resolve</c>), for the binder to report when a value is required.
/// </summary>
internal sealed class ConfigResolver
{
    private readonly ConfigMap _root;
    private readonly Func<string, string?> _environment;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, ConfigNode> _resolved = new(StringComparer.Ordinal);
    private readonly List<string> _resolving = [];

    public ConfigResolver(ConfigMap root, Func<string, string?>? environment = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The whole tree with every interpolation resolved.</summary>
    public static ConfigMap ResolveAll(ConfigMap root, Func<string, string?>? environment = null, TimeProvider? time = null) =>
        (ConfigMap)new ConfigResolver(root, environment, time).Deep(root, []);

    /// <summary>
    /// The tree without the top-level <paramref name="excluded"/> key, every interpolation resolved; references into
    /// the excluded node still resolve (the task config without <c>hydra</c>, which may read <c>${hydra:…}</c>).
    /// </summary>
    public static ConfigMap ResolveWithout(ConfigMap root, string excluded, Func<string, string?>? environment = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var resolver = new ConfigResolver(root, environment, time);
        var job = root.Without(excluded);
        return job with { Entries = [.. job.Entries.Select(e => e with { Value = resolver.Deep(e.Value, [e.Key]) })] };
    }

    /// <summary>The resolved node at a dotted key (<c>train.val_split</c>, <c>tags.0</c>), or null when there is none.</summary>
    public ConfigNode? Select(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var path = Segments(key);
        return Find(path) is { } node ? Deep(node, path) : null;
    }

    private ConfigNode Deep(ConfigNode node, List<string> path) => node switch
    {
        ConfigMap map => map with
        {
            Entries = [.. map.Entries.Select(e => e with { Value = Deep(e.Value, [.. path, e.Key]) })],
        },
        ConfigList list => list with { Items = [.. list.Items.Select((item, i) => Deep(item, [.. path, i.ToString(CultureInfo.InvariantCulture)]))] },
        ConfigScalar { Kind: ScalarKind.String } s when ConfigInterpolation.ContainsInterpolation((string)s.Value!) => Evaluated(s, path),
        _ => node,
    };

    // The value of an interpolated scalar at path, memoised; re-entering a path that is being resolved is a cycle.
    private ConfigNode Evaluated(ConfigScalar scalar, List<string> path)
    {
        var id = string.Join('.', path);
        if (_resolved.TryGetValue(id, out var done))
        {
            return done;
        }

        var at = _resolving.IndexOf(id);
        if (at >= 0)
        {
            var cycle = string.Join(" -> ", _resolving.Skip(at).Append(id));
            throw new ConfigException(scalar.Source, id, $"interpolation cycle: {cycle}; break it by setting one of these keys to a value.");
        }

        _resolving.Add(id);
        try
        {
            var text = (string)scalar.Value!;
            IReadOnlyList<ConfigInterpolation.Part> parts;
            try
            {
                parts = ConfigInterpolation.Parse(text);
            }
            catch (ConfigException e)
            {
                throw new ConfigException(scalar.Source, id, e.Problem);
            }

            var result = ConfigInterpolation.IsSingle(parts)
                ? Part(parts[0], scalar, path)
                : ConfigScalar.Of(Concatenate(parts, scalar, path), scalar.Source);
            if (result is ConfigScalar r)
            {
                result = r with { Source = scalar.Source };
            }

            _resolved[id] = result;
            return result;
        }
        finally
        {
            _resolving.RemoveAt(_resolving.Count - 1);
        }
    }

    private string Concatenate(IReadOnlyList<ConfigInterpolation.Part> parts, ConfigScalar scalar, List<string> path)
    {
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(part is ConfigInterpolation.Literal l ? l.Text : PythonStr(Part(part, scalar, path)));
        }

        return text.ToString();
    }

    private static string PythonStr(ConfigNode node) => node is ConfigScalar { Kind: ScalarKind.String } s ? (string)s.Value! : node.Describe();

    private ConfigNode Part(ConfigInterpolation.Part part, ConfigScalar scalar, List<string> path)
    {
        var id = string.Join('.', path);
        switch (part)
        {
            case ConfigInterpolation.Literal l:
                return ConfigScalar.Of(l.Text, scalar.Source);
            case ConfigInterpolation.NodeReference reference:
                var target = Absolute(reference.Key, path, scalar.Source, id);
                var node = Find(target) ?? throw new ConfigException(scalar.Source, id, $"Interpolation key '{reference.Key}' not found");
                if (node is ConfigScalar { IsMissing: true })
                {
                    throw new ConfigException(scalar.Source, id, $"Missing mandatory value: {string.Join('.', target)} (referenced by ${{{reference.Key}}}); set it in a config file or with {string.Join('.', target)}=VALUE.");
                }

                return Deep(node, target);
            case ConfigInterpolation.ResolverCall call:
                return Call(call, scalar, path, id);
            default:
                throw new InvalidOperationException();
        }
    }

    private ConfigNode Call(ConfigInterpolation.ResolverCall call, ConfigScalar scalar, List<string> path, string id)
    {
        var args = call.Arguments.Select(a => Argument(a, scalar, path)).ToList();
        ConfigException Error(string problem) => new(scalar.Source, id, problem);
        string Text(int i) => PythonStr(args[i]);
        switch (call.Name)
        {
            case "oc.env":
                if (args.Count is 0 or > 2)
                {
                    throw Error("oc.env takes a variable name and an optional default: ${oc.env:VAR,default}");
                }

                if (_environment(Text(0)) is { } value)
                {
                    return ConfigScalar.Of(value, scalar.Source);
                }

                return args.Count == 2
                    ? args[1] is ConfigScalar { Kind: ScalarKind.Null } ? args[1] : ConfigScalar.Of(PythonStr(args[1]), scalar.Source)
                    : throw Error($"Environment variable '{Text(0)}' not found; set it, or give a default: ${{oc.env:{Text(0)},DEFAULT}}");
            case "oc.decode":
                if (args.Count != 1)
                {
                    throw Error("oc.decode takes one argument");
                }

                return args[0] switch
                {
                    ConfigScalar { Kind: ScalarKind.Null } n => n,
                    ConfigScalar { Kind: ScalarKind.String } s => Decode((string)s.Value!, scalar.Source, Error),
                    _ => throw Error($"TypeError: oc.decode can only take strings or None as input, but '{args[0].Describe()}' is given"),
                };
            case "oc.select":
                if (args.Count is 0 or > 2)
                {
                    throw Error("oc.select takes a key and an optional default: ${oc.select:key,default}");
                }

                var selected = Find(Absolute(Text(0), path, scalar.Source, id));
                return selected is null or ConfigScalar { IsMissing: true }
                    ? args.Count == 2 ? args[1] : ConfigScalar.Null(scalar.Source)
                    : Deep(selected, Absolute(Text(0), path, scalar.Source, id));
            case "oc.dict.keys" or "oc.dict.values":
                var dictPath = Absolute(Text(0), path, scalar.Source, id);
                if (Find(dictPath) is not ConfigMap dict)
                {
                    throw Error($"{call.Name} needs the key of a map, and '{Text(0)}' is not one");
                }

                return new ConfigList(
                    call.Name == "oc.dict.keys"
                        ? [.. dict.Entries.Select(e => (ConfigNode)ConfigScalar.Of(e.Key, scalar.Source))]
                        : [.. dict.Entries.Select(e => Deep(e.Value, [.. dictPath, e.Key]))],
                    scalar.Source);
            case "now":
                return ConfigScalar.Of(Strftime(_time.GetLocalNow(), args.Count == 0 ? "%Y-%m-%d %H:%M:%S.%f" : Text(0)), scalar.Source);
            case "hydra":
                var hydraPath = Segments("hydra." + Text(0));
                return Find(hydraPath) is { } hydraNode ? Deep(hydraNode, hydraPath) : throw Error($"Interpolation key 'hydra.{Text(0)}' not found");
            default:
                throw Error($"Unsupported interpolation type {call.Name}");
        }
    }

    private ConfigNode Argument(ConfigInterpolation.Argument argument, ConfigScalar scalar, List<string> path)
    {
        if (argument.Parts.Count == 0)
        {
            return ConfigScalar.Of("", scalar.Source);
        }

        if (!argument.Quoted && argument.Parts is [ConfigInterpolation.Literal literal])
        {
            // Unquoted arguments are typed like YAML values: ${oc.env:PORT,8080} has the int 8080 as its default.
            return ConfigYaml.TypePlain(literal.Text, scalar.Source);
        }

        return ConfigInterpolation.IsSingle(argument.Parts) && !argument.Quoted
            ? Part(argument.Parts[0], scalar, path)
            : ConfigScalar.Of(Concatenate(argument.Parts, scalar, path), scalar.Source);
    }

    private static ConfigNode Decode(string text, SourcePosition source, Func<string, ConfigException> error)
    {
        if (text.Trim().Length == 0)
        {
            return ConfigScalar.Of(text, source);
        }

        try
        {
            return OverrideParser.Parse("k=" + text.Trim()).Value switch
            {
                ElementValue e => e.Node.At(source),
                _ => ConfigScalar.Of(text, source),
            };
        }
        catch (ConfigException e)
        {
            throw error($"oc.decode cannot read '{text}': {e.Problem}");
        }
    }

    /// <summary>A reference made absolute: leading dots count from the node holding the interpolation.</summary>
    private static List<string> Absolute(string key, List<string> path, SourcePosition source, string id)
    {
        var dots = 0;
        while (dots < key.Length && key[dots] == '.')
        {
            dots++;
        }

        if (dots == 0)
        {
            return Segments(key);
        }

        // ${.x}: a sibling (the parent of the value's path); each further dot goes one level up.
        var up = dots;
        if (up > path.Count)
        {
            throw new ConfigException(source, id, $"the relative interpolation '${{{key}}}' goes above the root.");
        }

        var basePath = path.Take(path.Count - up).ToList();
        return [.. basePath, .. Segments(key[dots..])];
    }

    /// <summary><c>a.b[0].c</c> and <c>a.b.0.c</c> as segments.</summary>
    public static List<string> Segments(string key)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        foreach (var c in key)
        {
            switch (c)
            {
                case '.':
                case '[':
                    if (current.Length > 0)
                    {
                        segments.Add(current.ToString());
                        current.Clear();
                    }

                    break;
                case ']':
                    segments.Add(current.ToString());
                    current.Clear();
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }

        if (current.Length > 0)
        {
            segments.Add(current.ToString());
        }

        return segments;
    }

    // Walks the raw tree; a node on the way that is itself an interpolation is resolved first, so ${a.b} works when a: ${c}.
    private ConfigNode? Find(List<string> path)
    {
        ConfigNode? node = _root;
        for (var i = 0; i < path.Count; i++)
        {
            if (node is ConfigScalar { Kind: ScalarKind.String } s && ConfigInterpolation.ContainsInterpolation((string)s.Value!))
            {
                node = Evaluated(s, path.Take(i).ToList());
            }

            node = node switch
            {
                ConfigMap map => map.TryGet(path[i]),
                ConfigList list when int.TryParse(path[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Items.Length => list.Items[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Python's <c>strftime</c> for the directives Hydra's output folders use, and the common others.</summary>
    public static string Strftime(DateTimeOffset now, string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var text = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }

            var c = format[++i];
            text.Append(c switch
            {
                'Y' => now.Year.ToString("0000", CultureInfo.InvariantCulture),
                'y' => (now.Year % 100).ToString("00", CultureInfo.InvariantCulture),
                'm' => now.Month.ToString("00", CultureInfo.InvariantCulture),
                'd' => now.Day.ToString("00", CultureInfo.InvariantCulture),
                'H' => now.Hour.ToString("00", CultureInfo.InvariantCulture),
                'I' => ((now.Hour + 11) % 12 + 1).ToString("00", CultureInfo.InvariantCulture),
                'M' => now.Minute.ToString("00", CultureInfo.InvariantCulture),
                'S' => now.Second.ToString("00", CultureInfo.InvariantCulture),
                'f' => (now.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture),
                'j' => now.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
                'p' => now.Hour < 12 ? "AM" : "PM",
                'a' => now.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => now.ToString("dddd", CultureInfo.InvariantCulture),
                'b' => now.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => now.ToString("MMMM", CultureInfo.InvariantCulture),
                'z' => (now.Offset < TimeSpan.Zero ? "-" : "+") + now.Offset.ToString("hhmm", CultureInfo.InvariantCulture),
                's' => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + c,
            });
        }

        return text.ToString();
    }
}
