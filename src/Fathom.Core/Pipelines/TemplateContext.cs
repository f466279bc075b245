using System.Globalization;
using System.Text;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// The values <c>${…}</c> expressions see (DVC's parsing context): <c>params.yaml</c> next to <c>dvc.yaml</c>, then
/// top-level and stage-level <c>vars</c>, then <c>item</c>/<c>key</c> of a foreach or matrix member. Merging never
/// overwrites a leaf (DVC refuses that too). Values that came from a file are remembered when used, because DVC
/// tracks them as the stage's params.
/// </summary>
internal sealed class TemplateContext
{
    private readonly Dictionary<string, object?> _data;
    private readonly Dictionary<string, string> _sources;

    public TemplateContext()
        : this(new Dictionary<string, object?>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal))
    {
    }

    private TemplateContext(Dictionary<string, object?> data, Dictionary<string, string> sources)
    {
        _data = data;
        _sources = sources;
    }

    /// <summary>(params file relative to dvc.yaml's folder, dot key) pairs read through interpolation.</summary>
    public HashSet<(string File, string Key)> Used { get; private set; } = [];

    /// <summary>A copy to extend for one stage; uses are recorded in a fresh set.</summary>
    public TemplateContext Clone() => new(DeepCopy(_data), new Dictionary<string, string>(_sources, StringComparer.Ordinal));

    /// <summary>Merges a file's or an inline mapping's values; <paramref name="source"/> is the file, or null for inline vars.</summary>
    public void Merge(Dictionary<string, object?> values, string? source, string where)
    {
        MergeInto(_data, values, "", where);
        if (source is not null)
        {
            foreach (var key in values.Keys)
            {
                _sources.TryAdd(key, source);
            }
        }
    }

    /// <summary>Sets a reserved name (<c>item</c>, <c>key</c>) for one foreach/matrix member.</summary>
    public void SetLocal(string name, object? value) => _data[name] = value;

    private static void MergeInto(Dictionary<string, object?> target, Dictionary<string, object?> values, string prefix, string where)
    {
        foreach (var (key, value) in values)
        {
            if (target.TryGetValue(key, out var existing))
            {
                if (existing is Dictionary<string, object?> a && value is Dictionary<string, object?> b)
                {
                    MergeInto(a, b, prefix + key + ".", where);
                    continue;
                }

                throw new DataException(DataErrorKind.InvalidInput, $"{where}: cannot redefine '{prefix}{key}': it is already defined (vars and params.yaml may add keys, not change them).");
            }

            target[key] = DeepCopy(value);
        }
    }

    /// <summary>Looks up <c>a.b[0].c</c> (and <c>a[b]</c>, the same as <c>a.b</c>); null when any part is missing.</summary>
    public bool TryResolve(string expression, out object? value)
    {
        var parts = Split(expression);
        value = null;
        if (parts.Count == 0)
        {
            return false;
        }

        object? current = _data;
        foreach (var part in parts)
        {
            if (current is Dictionary<string, object?> map && map.TryGetValue(part, out var next))
            {
                current = next;
            }
            else if (current is List<object?> list && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count)
            {
                current = list[index];
            }
            else
            {
                return false;
            }
        }

        if (_sources.TryGetValue(parts[0], out var file))
        {
            Used.Add((file, string.Join('.', parts)));
        }

        value = current;
        return true;
    }

    private static List<string> Split(string expression)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        foreach (var c in expression.Trim())
        {
            if (c is '.' or '[' or ']')
            {
                if (current.Length > 0)
                {
                    parts.Add(current.ToString().Trim());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            parts.Add(current.ToString().Trim());
        }

        return parts;
    }

    private static object? DeepCopy(object? value) => value switch
    {
        Dictionary<string, object?> map => DeepCopy(map),
        List<object?> list => list.Select(DeepCopy).ToList(),
        _ => value,
    };

    private static Dictionary<string, object?> DeepCopy(Dictionary<string, object?> map) =>
        map.ToDictionary(p => p.Key, p => DeepCopy(p.Value), StringComparer.Ordinal);
}
