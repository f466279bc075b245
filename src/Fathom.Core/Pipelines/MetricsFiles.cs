using System.Globalization;
using System.Text.Json;

namespace Fathom.Pipelines;

/// <summary>Reads metrics files (JSON or YAML) into flat <c>a.b.c → number</c> values, as <c>dvc metrics show</c> lists them.</summary>
internal static class MetricsFiles
{
    public static SortedDictionary<string, double> Parse(string text, string displayName)
    {
        var extension = Path.GetExtension(displayName).ToLowerInvariant();
        object? root = extension is ".yaml" or ".yml"
            ? ParamsFiles.Parse(text, displayName, extension)
            : ParseJson(text, displayName);
        var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
        Flatten(root, "", values);
        return values;
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
