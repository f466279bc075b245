using System.Globalization;
using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Reads values out of a polyaxonfile's node tree and collects every problem instead of stopping at the first, each
/// as <c>file:line: field.path: what is wrong</c>, unknown fields with the nearest valid name. Before rendering
/// (<see cref="Rendered"/> false) a scalar field may hold a template (<c>"{{ TIMEOUT }}"</c>), as Polyaxon allows;
/// after rendering it must have its type, a numeric string counting as the number it spells (Polyaxon passes rendered
/// text through Python's <c>ast.literal_eval</c>).
/// </summary>
internal sealed class SpecReader(bool rendered)
{
    private readonly List<ConfigException> _errors = [];

    public bool Rendered { get; } = rendered;

    public bool HasErrors => _errors.Count > 0;

    public void Error(SourcePosition where, string path, string problem) => _errors.Add(new ConfigException(where, path, problem));

    /// <summary>Throws one exception holding every collected problem (one line each), if there were any.</summary>
    public void ThrowIfErrors()
    {
        switch (_errors.Count)
        {
            case 0:
                return;
            case 1:
                throw _errors[0];
            default:
                throw new ConfigException(string.Join(Environment.NewLine, _errors.Select(e => e.Message)));
        }
    }

    /// <summary>The node as a map, or null (with an error) when it is something else.</summary>
    public ConfigMap? Map(ConfigNode? node, string path)
    {
        switch (node)
        {
            case null or ConfigScalar { Kind: ScalarKind.Null }:
                return null;
            case ConfigMap map:
                return map;
            default:
                Error(node.Source, path, $"expected a mapping (key: value lines), got {Describe(node)}.");
                return null;
        }
    }

    /// <summary>Reports every key of <paramref name="map"/> not in <paramref name="known"/>, with the nearest known one.</summary>
    public void KnownKeys(ConfigMap map, string path, IReadOnlyCollection<string> known)
    {
        foreach (var entry in map.Entries)
        {
            if (known.Contains(entry.Key))
            {
                continue;
            }

            var nearest = ConfigBinder.Nearest(entry.Key, known);
            var hint = nearest is null ? $"valid fields: {string.Join(", ", known)}" : $"did you mean '{nearest}'?";
            Error(entry.KeySource, Join(path, entry.Key), $"unknown field; {hint}");
        }
    }

    public string? String(ConfigMap map, string key, string path) => String(map.TryGet(key), Join(path, key));

    /// <summary>A scalar as text (numbers and booleans as YAML wrote them); null for a missing or null value.</summary>
    public string? String(ConfigNode? node, string path)
    {
        switch (node)
        {
            case null or ConfigScalar { Kind: ScalarKind.Null }:
                return null;
            case ConfigScalar { Kind: ScalarKind.String } s:
                return (string)s.Value!;
            case ConfigScalar s:
                return s.Text;
            default:
                Error(node.Source, path, $"expected a string, got {Describe(node)}.");
                return null;
        }
    }

    public string? Required(ConfigMap map, string key, string path)
    {
        var value = String(map, key, path);
        if (value is null && map.TryGet(key) is null or ConfigScalar { Kind: ScalarKind.Null })
        {
            Error(map.Source, Join(path, key), "is required.");
        }

        return value;
    }

    public bool Bool(ConfigMap map, string key, string path, bool fallback = false) => Bool(map.TryGet(key), Join(path, key)) ?? fallback;

    public bool? Bool(ConfigNode? node, string path)
    {
        switch (node)
        {
            case null or ConfigScalar { Kind: ScalarKind.Null }:
                return null;
            case ConfigScalar { Kind: ScalarKind.Bool } s:
                return (bool)s.Value!;
            case ConfigScalar { Kind: ScalarKind.String } s when !Rendered && IsTemplate((string)s.Value!):
                return null;
            case ConfigScalar { Kind: ScalarKind.String } s when Rendered && (string)s.Value! is "True" or "False":
                return (string)s.Value! == "True";
            default:
                Error(node.Source, path, $"expected true or false, got {Describe(node)}.");
                return null;
        }
    }

    public int? Int(ConfigMap map, string key, string path) => Int(map.TryGet(key), Join(path, key));

    public int? Int(ConfigNode? node, string path)
    {
        switch (node)
        {
            case null or ConfigScalar { Kind: ScalarKind.Null }:
                return null;
            case ConfigScalar { Kind: ScalarKind.Int, Value: long n } when n is >= int.MinValue and <= int.MaxValue:
                return (int)n;
            case ConfigScalar { Kind: ScalarKind.String } s when !Rendered && IsTemplate((string)s.Value!):
                return null;
            case ConfigScalar { Kind: ScalarKind.String } s when Rendered
                && int.TryParse((string)s.Value!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            default:
                Error(node.Source, path, $"expected an integer, got {Describe(node)}.");
                return null;
        }
    }

    public double? Number(ConfigMap map, string key, string path)
    {
        var node = map.TryGet(key);
        switch (node)
        {
            case null or ConfigScalar { Kind: ScalarKind.Null }:
                return null;
            case ConfigScalar { Kind: ScalarKind.Int or ScalarKind.Float } s:
                return s.AsDouble;
            default:
                Error(node.Source, Join(path, key), $"expected a number, got {Describe(node)}.");
                return null;
        }
    }

    /// <summary>A list of strings; a lone string counts as a one-item list (Kubernetes' command and args accept both in Polyaxon).</summary>
    public IReadOnlyList<string> StringList(ConfigMap map, string key, string path, bool allowScalar = false)
    {
        var node = map.TryGet(key);
        var where = Join(path, key);
        switch (node)
        {
            case null or ConfigScalar { Kind: ScalarKind.Null }:
                return [];
            case ConfigScalar s when allowScalar:
                return [String(s, where)!];
            case ConfigList list:
                return [.. list.Items.Select((item, i) => String(item, $"{where}[{i}]") ?? "")];
            default:
                Error(node.Source, where, $"expected a list, got {Describe(node)}.");
                return [];
        }
    }

    /// <summary>A mapping of strings to strings (labels, node selectors, resource quantities).</summary>
    public IReadOnlyDictionary<string, string> StringMap(ConfigMap map, string key, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var where = Join(path, key);
        if (Map(map.TryGet(key), where) is { } inner)
        {
            foreach (var entry in inner.Entries)
            {
                result[entry.Key] = String(entry.Value, Join(where, entry.Key)) ?? "";
            }
        }

        return result;
    }

    /// <summary>The items of a list field, or none (with an error) when it is not a list.</summary>
    public IReadOnlyList<ConfigNode> List(ConfigMap map, string key, string path)
    {
        var node = map.TryGet(key);
        switch (node)
        {
            case null or ConfigScalar { Kind: ScalarKind.Null }:
                return [];
            case ConfigList list:
                return list.Items;
            default:
                Error(node.Source, Join(path, key), $"expected a list, got {Describe(node)}.");
                return [];
        }
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal);

    public static string Describe(ConfigNode node) => node switch
    {
        ConfigScalar { Kind: ScalarKind.String } s => $"'{s.Value}'",
        ConfigScalar s => s.Describe(),
        ConfigList => "a list",
        _ => "a mapping",
    };
}
