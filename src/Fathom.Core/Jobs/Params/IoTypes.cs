namespace Fathom.Jobs;

/// <summary>The IO types of Polyaxon's spec (§3.1), and its v2 type-hint strings (<c>List[int]</c>, <c>Dict[str, float]</c>).</summary>
internal static class IoTypes
{
    public const string Any = "any";
    public const string Int = "int";
    public const string Float = "float";
    public const string Bool = "bool";
    public const string Str = "str";
    public const string Dict = "dict";
    public const string List = "list";

    public static readonly string[] Names =
    [
        Any, Int, Float, Bool, Str, Dict, "dict_of_dicts", List, "uri", "auth", "date", "datetime", "uuid", "path", "metric",
        "metadata", "image", "event", "git", "artifacts", "dockerfile", "file", "tensorboard", "gcs", "s3", "wasb",
    ];

    public static bool IsKnown(string type) => Names.Contains(type) || Hint(type) is not null;

    /// <summary>
    /// A v2 type hint read as (base type, is a list, is a dict, optional): <c>List[int]</c> → (int, list),
    /// <c>Optional[str]</c> → (str, optional), <c>Dict[str, float]</c> → (float, dict); null when not a hint.
    /// </summary>
    public static (string Element, bool IsList, bool IsDict, bool Optional)? Hint(string type)
    {
        var open = type.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || !type.EndsWith(']'))
        {
            return null;
        }

        var outer = type[..open].Trim();
        var inner = type[(open + 1)..^1].Trim();
        switch (outer)
        {
            case "List" or "list" when Names.Contains(inner) || Hint(inner) is not null:
                return (inner, true, false, false);
            case "Optional" when Names.Contains(inner) || Hint(inner) is not null:
                return Hint(inner) is { } nested ? nested with { Optional = true } : (inner, false, false, true);
            case "Dict" or "dict":
                var comma = inner.IndexOf(',', StringComparison.Ordinal);
                var value = comma < 0 ? "" : inner[(comma + 1)..].Trim();
                return Names.Contains(value) ? (value, false, true, false) : null;
            default:
                return null;
        }
    }
}
