using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fathom.Jobs;

/// <summary>
/// The filters and tests of Fathom's templates: Jinja2's common built-ins, and Polyaxon's <c>map_format</c>
/// (<c>{{ value | map_format("--x=%s") }}</c>, Python's <c>%</c> formatting).
/// </summary>
internal static class JinjaFilters
{
    public static readonly string[] Names =
    [
        "abs", "bool", "capitalize", "count", "d", "default", "first", "float", "int", "join", "last", "length", "list", "lower",
        "map", "map_format", "replace", "reverse", "round", "sort", "string", "title", "tojson", "trim", "unique", "upper",
    ];

    public static object? Apply(string name, object? input, List<object?> args, Dictionary<string, object?> named)
    {
        if (name is "default" or "d")
        {
            var boolean = args.Count > 1 ? JinjaRenderer.Truthy(args[1]) : named.TryGetValue("boolean", out var b) && JinjaRenderer.Truthy(b);
            return input is JinjaRenderer.Undefined || (boolean && !JinjaRenderer.Truthy(input)) ? args.ElementAtOrDefault(0) : input;
        }

        var value = JinjaRenderer.Strict(input);
        switch (name)
        {
            case "map_format":
                var pattern = args.ElementAtOrDefault(0) as string ?? throw new TemplateException("map_format takes a pattern: map_format(\"--x=%s\").");
                return args.ElementAtOrDefault(1) is string variable
                    ? PercentFormat(pattern, new Dictionary<string, object?>(StringComparer.Ordinal) { [variable] = value })
                    : PercentFormat(pattern, value);
            case "map":
                var items = AsList(value, name);
                if (named.TryGetValue("attribute", out var attribute) && attribute is string key)
                {
                    return items.Select(i => i is Dictionary<string, object?> d && d.TryGetValue(key, out var v) ? v : null).ToList();
                }

                var filter = args.ElementAtOrDefault(0) as string ?? throw new TemplateException("map takes a filter name or attribute=NAME.");
                return items.Select(i => Apply(filter, i, [.. args.Skip(1)], [])).ToList();
            case "join":
                var separator = args.ElementAtOrDefault(0) as string ?? "";
                return string.Join(separator, AsList(value, name).Select(IoValues.Python));
            case "length" or "count":
                return value switch
                {
                    string s => (long)s.Length,
                    List<object?> l => (long)l.Count,
                    Dictionary<string, object?> d => (long)d.Count,
                    _ => throw new TemplateException($"{name} needs a string, list or mapping, not {JinjaRenderer.TypeName(value)}."),
                };
            case "lower":
                return IoValues.Python(value).ToLowerInvariant();
            case "upper":
                return IoValues.Python(value).ToUpperInvariant();
            case "title":
                return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(IoValues.Python(value).ToLowerInvariant());
            case "capitalize":
                var text = IoValues.Python(value);
                return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();
            case "trim":
                return IoValues.Python(value).Trim();
            case "replace":
                return args is [string from, string to, ..] && from.Length > 0
                    ? IoValues.Python(value).Replace(from, to, StringComparison.Ordinal)
                    : throw new TemplateException("replace takes two strings: replace(\"old\", \"new\").");
            case "string":
                return IoValues.Python(value);
            case "int":
                return value switch
                {
                    long l => (object)l,
                    double d => (long)Math.Truncate(d),
                    bool b => b ? 1L : 0L,
                    string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => (long)Math.Truncate(d),
                    _ => args.ElementAtOrDefault(0) ?? 0L,
                };
            case "float":
                return value switch
                {
                    long l => (object)(double)l,
                    double d => d,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                    _ => args.ElementAtOrDefault(0) ?? 0.0,
                };
            case "bool":
                return JinjaRenderer.Truthy(value);
            case "abs":
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => Math.Abs(d),
                    _ => throw new TemplateException($"abs needs a number, not {JinjaRenderer.TypeName(value)}."),
                };
            case "round":
                var digits = args.ElementAtOrDefault(0) is long p ? (int)p : 0;
                return value is long or double
                    ? Math.Round(Convert.ToDouble(value, CultureInfo.InvariantCulture), digits, MidpointRounding.AwayFromZero)
                    : throw new TemplateException($"round needs a number, not {JinjaRenderer.TypeName(value)}.");
            case "list":
                return value switch
                {
                    string s => s.Select(c => (object?)c.ToString()).ToList(),
                    Dictionary<string, object?> d => d.Keys.Select(k => (object?)k).ToList(),
                    _ => AsList(value, name).ToList(),
                };
            case "first":
                return AsList(value, name).FirstOrDefault();
            case "last":
                return AsList(value, name).LastOrDefault();
            case "reverse":
                return value is string r ? new string(r.Reverse().ToArray()) : AsList(value, name).AsEnumerable().Reverse().ToList();
            case "sort":
                var sorted = AsList(value, name).ToList();
                sorted.Sort((a, b) => JinjaOperators.Binary("<", a, b) is true ? -1 : JinjaOperators.Binary(">", a, b) is true ? 1 : 0);
                return sorted;
            case "unique":
                var seen = new List<object?>();
                foreach (var item in AsList(value, name))
                {
                    if (!seen.Any(s => JinjaOperators.Binary("==", s, item) is true))
                    {
                        seen.Add(item);
                    }
                }

                return seen;
            case "tojson":
                return JsonSerializer.Serialize(value);
            default:
                var nearest = Config.ConfigBinder.Nearest(name, Names);
                throw new TemplateException($"no filter named '{name}'{(nearest is null ? "" : $"; did you mean '{nearest}'?")}");
        }
    }

    public static bool Test(string name, object? input, List<object?> args)
    {
        switch (name)
        {
            case "defined":
                return input is not JinjaRenderer.Undefined;
            case "undefined":
                return input is JinjaRenderer.Undefined;
        }

        var value = JinjaRenderer.Strict(input);
        return name switch
        {
            "none" => value is null,
            "true" => value is true,
            "false" => value is false,
            "boolean" => value is bool,
            "number" => value is long or double,
            "integer" => value is long,
            "float" => value is double,
            "string" => value is string,
            "mapping" => value is Dictionary<string, object?>,
            "sequence" or "iterable" => value is string or List<object?> or Dictionary<string, object?>,
            "even" => value is long l && l % 2 == 0,
            "odd" => value is long l && l % 2 != 0,
            "divisibleby" => value is long l && args.ElementAtOrDefault(0) is long d && d != 0 && l % d == 0,
            "eq" or "equalto" or "sameas" => JinjaOperators.Binary("==", value, args.ElementAtOrDefault(0)) is true,
            _ => throw new TemplateException($"no test named '{name}'."),
        };
    }

    // Python's "pattern % value": %s %r %d %i %f %% and %(name)s with a mapping.
    private static string PercentFormat(string pattern, object? value)
    {
        var result = new StringBuilder();
        var used = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i + 1 >= pattern.Length)
            {
                result.Append(pattern[i]);
                continue;
            }

            var next = pattern[++i];
            if (next == '%')
            {
                result.Append('%');
                continue;
            }

            var item = value;
            if (next == '(')
            {
                var close = pattern.IndexOf(')', i);
                if (close < 0 || value is not Dictionary<string, object?> map)
                {
                    throw new TemplateException($"map_format: '%(' in \"{pattern}\" needs a variable name and a closing ')'.");
                }

                var key = pattern[(i + 1)..close];
                item = map.TryGetValue(key, out var v) ? v : throw new TemplateException($"map_format: no value named '{key}'.");
                i = close + 1;
                next = i < pattern.Length ? pattern[i] : 's';
            }
            else if (used)
            {
                throw new TemplateException($"map_format: \"{pattern}\" has more placeholders than values.");
            }

            used = true;
            result.Append(next switch
            {
                's' => IoValues.Python(item),
                'r' => IoValues.Repr(item),
                'd' or 'i' when item is long or double => ((long)Convert.ToDouble(item, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture),
                'f' when item is long or double => Convert.ToDouble(item, CultureInfo.InvariantCulture).ToString("F6", CultureInfo.InvariantCulture),
                _ => throw new TemplateException($"map_format: '%{next}' does not fit {JinjaRenderer.TypeName(item)}."),
            });
        }

        return result.ToString();
    }

    private static List<object?> AsList(object? value, string filter) => value switch
    {
        List<object?> l => l,
        Dictionary<string, object?> d => [.. d.Keys],
        string s => [.. s.Select(c => (object?)c.ToString())],
        _ => throw new TemplateException($"{filter} needs a list, not {JinjaRenderer.TypeName(value)}."),
    };
}
