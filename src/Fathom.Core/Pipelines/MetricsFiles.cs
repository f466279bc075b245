using System.Globalization;
using System.Text.Json;

namespace Fathom.Pipelines;

/// <summary>Reads metrics files (JSON, YAML or TOML) into flat <c>a.b.c → number</c> values, as <c>dvc metrics show</c> lists them.</summary>
internal static class MetricsFiles
{
    public static SortedDictionary<string, double> Parse(string text, string displayName) => Flatten(ParseDocument(text, displayName));

    /// <summary>
    /// The file's values as written (mappings, lists, scalars), as <c>dvc metrics show --json</c> gives them. The loader
    /// is DVC's <c>load_path</c>'s: JSON, TOML or Python by extension, YAML for any other name; a document may be a bare
    /// value (<c>0.9</c>), which DVC shows as the file's data.
    /// </summary>
    public static object? ParseDocument(string text, string displayName)
    {
        var extension = Path.GetExtension(displayName).ToLowerInvariant();
        return extension switch
        {
            ".json" => ParseJson(text, displayName),
            ".toml" or ".py" => ParamsFiles.Parse(text, displayName, extension),
            _ => PipelineYaml.Load(text, displayName) is { } root ? PipelineValues.FromYaml(root) : null,
        };
    }

    /// <summary>The numbers of a document as <c>a.b.c → value</c> (list items by index).</summary>
    public static SortedDictionary<string, double> Flatten(object? document)
    {
        var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
        Flatten(document, "", values);
        return values;
    }

    /// <summary>
    /// A document as DVC's metrics and params tables see it (<c>flatten(format_dict(d))</c>): nested mappings become
    /// <c>a.b.c</c> keys, a list is one value shown as its Python text, other values stay as loaded (ints stay ints);
    /// a document that is not a mapping is one value under the key "".
    /// </summary>
    public static SortedDictionary<string, object?> Leaves(object? document)
    {
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        if (document is Dictionary<string, object?> map)
        {
            AddLeaves(map, "", values);
        }
        else if (document is not null)
        {
            values[""] = document is List<object?> ? PythonText.Str(document) : document;
        }

        return values;
    }

    /// <summary>Adds one value under <paramref name="key"/> the way <see cref="Leaves"/> flattens it.</summary>
    public static void AddLeaves(string key, object? value, SortedDictionary<string, object?> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        switch (value)
        {
            case Dictionary<string, object?> map:
                AddLeaves(map, key + ".", into);
                break;
            case List<object?>:
                into[key] = PythonText.Str(value);
                break;
            default:
                into[key] = value;
                break;
        }
    }

    private static void AddLeaves(Dictionary<string, object?> map, string prefix, SortedDictionary<string, object?> into)
    {
        foreach (var (k, v) in map)
        {
            AddLeaves(prefix + k, v, into);
        }
    }

    private static object? ParseJson(string text, string displayName)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return ParamsFiles.FromJson(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new Data.DvcFormatException(displayName, (int)(e.LineNumber ?? 0) + 1, "", $"invalid JSON: {e.Message}");
        }
    }

    private static void Flatten(object? value, string prefix, SortedDictionary<string, double> into)
    {
        switch (value)
        {
            case Dictionary<string, object?> map:
                foreach (var (k, v) in map)
                {
                    Flatten(v, prefix.Length == 0 ? k : prefix + "." + k, into);
                }

                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    Flatten(list[i], prefix + "." + i.ToString(CultureInfo.InvariantCulture), into);
                }

                break;
            case long l:
                into[prefix] = l;
                break;
            case double d:
                into[prefix] = d;
                break;
        }
    }
}
