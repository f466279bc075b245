using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Values of inputs and outputs: parsed by the IO's type as Polyaxon's type parser does (§3.2 of the spec: <c>"12.0"</c>
/// is the int 12, <c>t</c> and <c>0</c> are booleans, a list may be given as a JSON array string), then checked against
/// its validation. Values are plain objects: null, bool, long, double, string, <see cref="List{T}"/> of values and
/// <see cref="Dictionary{TKey, TValue}"/> from string to value (insertion-ordered).
/// </summary>
internal static class IoValues
{
    /// <summary>The longest JSON text a value may be given as (a <c>-P</c> value or a string default).</summary>
    public const int MaxJsonChars = 1024 * 1024;

    private static readonly JsonDocumentOptions JsonLimits = new() { MaxDepth = 64 };

    /// <summary>A YAML node as a plain value (types as PyYAML gave them).</summary>
    public static object? FromNode(ConfigNode node) => node switch
    {
        ConfigScalar s => s.Value,
        ConfigList l => l.Items.Select(FromNode).ToList(),
        ConfigMap m => m.Entries.ToDictionary(e => e.Key, e => FromNode(e.Value), StringComparer.Ordinal),
        _ => null,
    };

    /// <summary>A value written in the file (a default or an operation's param) parsed by the IO's type.</summary>
    public static object? Coerce(IoSpec io, ConfigNode node)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(node);
        return Coerce(io, FromNode(node));
    }

    /// <summary>A value parsed by the IO's type; <paramref name="value"/> is a <c>-P</c> string or a value from a file.</summary>
    public static object? Coerce(IoSpec io, object? value)
    {
        ArgumentNullException.ThrowIfNull(io);
        var (element, isList, isDict) = Shape(io);
        if (value is null)
        {
            return io.IsOptional ? null : throw Fail(io, value, "a value is required.");
        }

        if (isList)
        {
            var items = value is string text ? ParseJson(io, text, '[') : value;
            return items is List<object?> list
                ? list.Select(item => Scalar(io, element, item)).ToList()
                : throw Fail(io, value, $"expected a list{Example(element, list: true)}.");
        }

        if (isDict)
        {
            var map = value is string text ? ParseJson(io, text, '{') : value;
            return map is Dictionary<string, object?> dict
                ? dict.ToDictionary(p => p.Key, p => element == IoTypes.Any ? p.Value : Scalar(io, element, p.Value), StringComparer.Ordinal)
                : throw Fail(io, value, "expected a mapping, e.g. '{\"a\": 1}'.");
        }

        return Scalar(io, element, value);
    }

    /// <summary>Checks a parsed value against the IO's validation (element-wise for lists and dict values, as Polyaxon v2).</summary>
    public static void Check(IoSpec io, object? value)
    {
        ArgumentNullException.ThrowIfNull(io);
        if (io.Validation is not { } rules || value is null)
        {
            return;
        }

        var count = value switch
        {
            List<object?> l => l.Count,
            Dictionary<string, object?> d => d.Count,
            _ => (int?)null,
        };
        if (count is { } n && (n < rules.MinItems || n > rules.MaxItems))
        {
            throw Fail(io, value, $"has {n} items; validation asks for {Range(rules.MinItems, rules.MaxItems)}.");
        }

        var items = value switch
        {
            List<object?> l => l,
            Dictionary<string, object?> d => [.. d.Values],
            _ => [value],
        };
        foreach (var item in items)
        {
            CheckItem(io, rules, item);
        }
    }

    /// <summary>A value as Python's <c>str()</c> prints it, which is how Jinja renders it: lists as <c>['a', 1]</c>, booleans as <c>True</c>.</summary>
    public static string Python(object? value) => value switch
    {
        null => "None",
        string s => s,
        _ => Repr(value),
    };

    /// <summary>A value as Python's <c>repr()</c> writes it (strings quoted), the form it takes inside a list or dict.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long or int => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => ConfigScalar.FormatFloat(d),
        string s => QuoteString(s),
        List<object?> l => "[" + string.Join(", ", l.Select(Repr)) + "]",
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(p => QuoteString(p.Key) + ": " + Repr(p.Value))) + "}",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The value as JSON (for the run record and the <c>--json</c> output).</summary>
    public static JsonElement ToJson(object? value) => JsonSerializer.SerializeToElement(value);

    /// <summary>A JSON value back as a plain value.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        _ => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
    };

    private static (string Element, bool IsList, bool IsDict) Shape(IoSpec io)
    {
        var type = io.Type ?? IoTypes.Any;
        if (IoTypes.Hint(type) is { } hint)
        {
            return (hint.Element, hint.IsList || io.IsList, hint.IsDict);
        }

        return type switch
        {
            IoTypes.List => (IoTypes.Any, true, false),
            IoTypes.Dict or "dict_of_dicts" when !io.IsList => (IoTypes.Any, false, true),
            _ => (type, io.IsList, false),
        };
    }

    private static object? Scalar(IoSpec io, string type, object? value)
    {
        switch (type)
        {
            case IoTypes.Int:
                return value switch
                {
                    long l => l,
                    double d when double.IsFinite(d) => (long)Math.Truncate(d),
                    string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
                    string s when Regex.IsMatch(s.Trim(), @"^[-+]?\d+\.\d+$") => (long)Math.Truncate(double.Parse(s, CultureInfo.InvariantCulture)),
                    _ => throw Fail(io, value, "expected an integer, e.g. 3."),
                };
            case IoTypes.Float:
                return value switch
                {
                    long l => (double)l,
                    double d => d,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && s.Trim().Length > 0 => d,
                    _ => throw Fail(io, value, "expected a number, e.g. 0.5."),
                };
            case IoTypes.Bool:
                return value switch
                {
                    bool b => b,
                    long l and (0 or 1) => l == 1,
                    string s when s.Trim().ToLowerInvariant() is "true" or "t" or "1" => true,
                    string s when s.Trim().ToLowerInvariant() is "false" or "f" or "0" => false,
                    _ => throw Fail(io, value, "expected a boolean: true or false (also t/f, 1/0)."),
                };
            case IoTypes.Str or "path" or "image" or "auth" or "metadata" or "metric":
                return value is List<object?> or Dictionary<string, object?> ? throw Fail(io, value, "expected a single value, not a list or mapping.") : Python(value);
            case "uri":
                return Text(io, value, @"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", "expected a URI, e.g. https://host:port/path.");
            case "gcs":
                return Text(io, value, @"^gs://[^/\s]+(/\S*)?$", "expected gs://bucket/path.");
            case "s3":
                return Text(io, value, @"^s3a?://[^/\s]+(/\S*)?$", "expected s3://bucket/key.");
            case "wasb":
                return Text(io, value, @"^wasbs?://[^@\s]+@[^/\s]+(/\S*)?$", "expected wasbs://container@account.blob.core.windows.net/path.");
            case "uuid":
                return Text(io, value, @"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", "expected a UUID (32 hex digits, dashes optional).");
            case "date":
                return Text(io, value, @"^\d{4}-\d{2}-\d{2}$", "expected a date, YYYY-MM-DD.");
            case "datetime":
                return Text(io, value, @"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", "expected a date and time, YYYY-MM-DD HH:MM[:SS].");
            case IoTypes.Dict or "dict_of_dicts" or "git" or "artifacts" or "dockerfile" or "file" or "tensorboard":
                var map = value is string json ? ParseJson(io, json, '{') : value;
                return map is Dictionary<string, object?> ? map : throw Fail(io, value, "expected a mapping, e.g. '{\"a\": 1}'.");
            default:
                // any, event, or no type: kept as given (a -P value stays the string typed).
                return value;
        }
    }

    private static string Text(IoSpec io, object? value, string pattern, string expected) =>
        value is string s && Regex.IsMatch(s, pattern, RegexOptions.CultureInvariant) ? s : throw Fail(io, value, expected);

    private static object? ParseJson(IoSpec io, string text, char open)
    {
        if (text.Length > MaxJsonChars)
        {
            throw Fail(io, text[..40] + "…", $"is longer than {MaxJsonChars:N0} characters; refused.");
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed[0] != open)
        {
            throw Fail(io, text, open == '[' ? $"expected a list, written as JSON: '[\"a\", \"b\"]'." : "expected a mapping, written as JSON: '{\"a\": 1}'.");
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed, JsonLimits);
            return FromJson(document.RootElement);
        }
        catch (JsonException e)
        {
            var hint = open == '[' ? " Write a list as JSON, strings in double quotes: '[\"/data/a\", \"/data/b\"]'." : "";
            throw Fail(io, text, $"not valid JSON ({e.Message.Split(". ")[0]}).{hint}");
        }
    }

    private static void CheckItem(IoSpec io, IoValidation rules, object? item)
    {
        if (item is long or double)
        {
            var x = Convert.ToDouble(item, CultureInfo.InvariantCulture);
            if (x <= rules.Gt || x < rules.Ge || x >= rules.Lt || x > rules.Le)
            {
                var bounds = string.Join(" and ", new[] { ("> ", rules.Gt), (">= ", rules.Ge), ("< ", rules.Lt), ("<= ", rules.Le) }
                    .Where(b => b.Item2 is not null).Select(b => b.Item1 + ConfigScalar.FormatFloat(b.Item2!.Value).Replace(".0", "", StringComparison.Ordinal)));
                throw Fail(io, item, $"must be {bounds}.");
            }
        }

        if (item is string s)
        {
            if (s.Length < rules.MinLength || s.Length > rules.MaxLength)
            {
                throw Fail(io, item, $"has {s.Length} characters; validation asks for {Range(rules.MinLength, rules.MaxLength)}.");
            }

            if (rules.Regex is { } pattern && !Regex.IsMatch(s, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                throw Fail(io, item, $"does not match the pattern {pattern}.");
            }
        }

        if (rules.Options is { } options && !options.Any(o => Equals(o, item) || (o is long or double && item is long or double && Convert.ToDouble(o, CultureInfo.InvariantCulture) == Convert.ToDouble(item, CultureInfo.InvariantCulture))))
        {
            throw Fail(io, item, $"is not one of the allowed values: {string.Join(", ", options.Select(Repr))}.");
        }
    }

    private static string Range(int? min, int? max) => (min, max) switch
    {
        ({ } a, { } b) => $"{a} to {b}",
        ({ } a, null) => $"at least {a}",
        (null, { } b) => $"at most {b}",
        _ => "any number",
    };

    private static string Example(string element, bool list) => element switch
    {
        IoTypes.Int or IoTypes.Float => ", written as JSON: '[1, 2]'",
        _ when list => ", written as JSON: '[\"/data/a\", \"/data/b\"]'",
        _ => "",
    };

    private static string QuoteString(string s)
    {
        // Python's repr: single quotes unless the text holds one and no double quote.
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var body = s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
        if (quote == '\'')
        {
            body = body.Replace("'", "\\'", StringComparison.Ordinal);
        }

        return quote + body + quote;
    }

    private static IoValueException Fail(IoSpec io, object? value, string problem) =>
        new($"Could not parse value `{(value is string s ? s : Repr(value))}` for `{io.Name}`{(io.Type is null ? "" : $" (type {io.Type}{(io.IsList ? ", isList" : "")})")}: {problem}");
}
