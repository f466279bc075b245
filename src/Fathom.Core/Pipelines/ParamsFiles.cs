using System.Text.Json;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>Loads params files (<c>.yaml</c>, <c>.yml</c>, <c>.json</c>, <c>.toml</c>, <c>.py</c>) into loaded values, as DVC's params dependency does.</summary>
internal static partial class ParamsFiles
{
    public const string Default = "params.yaml";

    /// <summary>The file's top-level mapping; <paramref name="displayName"/> names it in errors.</summary>
    public static Dictionary<string, object?> Load(string path, string displayName)
    {
        if (!File.Exists(path))
        {
            throw new DataException(DataErrorKind.NotFound, $"Parameters file '{displayName}' does not exist.");
        }

        var text = File.ReadAllText(path);
        return Parse(text, displayName, Path.GetExtension(path).ToLowerInvariant());
    }

    public static Dictionary<string, object?> Parse(string text, string displayName, string extension)
    {
        object? value;
        switch (extension)
        {
            case ".yaml" or ".yml":
                var root = PipelineYaml.Load(text, displayName);
                value = root is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : PipelineValues.FromYaml(root);
                break;
            case ".json":
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    value = FromJson(doc.RootElement);
                }
                catch (JsonException e)
                {
                    throw new DvcFormatException(displayName, (int)(e.LineNumber ?? 0) + 1, "", $"invalid JSON: {e.Message}");
                }

                break;
            case ".toml":
                value = FromToml(text, displayName);
                break;
            case ".py":
                value = FromPython(text, displayName);
                break;
            default:
                throw new DataException(DataErrorKind.InvalidInput, $"Parameters file '{displayName}': unsupported format '{extension}' (use .yaml, .yml, .json, .toml or .py).");
        }

        return value as Dictionary<string, object?>
            ?? throw new DvcFormatException(displayName, 1, "", "expected a mapping of parameter names to values.");
    }

    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        // Boxed separately: "cond ? long : double" would make every JSON integer a double (1 → 1.0), while Python's
        // json keeps 1 an int and DVC writes and shows it so.
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
