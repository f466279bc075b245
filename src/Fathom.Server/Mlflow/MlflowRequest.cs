using System.Globalization;
using System.Text.Json;
using Fathom.Http;
using Fathom.Tracking;
using Microsoft.Extensions.Primitives;

namespace Fathom.Mlflow;

/// <summary>
/// The parameters of one MLflow request, read once (by <see cref="MlflowRequests"/>) and then used by the permission
/// check and the handler alike, so the two can never read a request differently. Parameters come as MLflow's Flask
/// handlers take them: a GET from its query string (repeated keys for lists; a JSON body only when there is no query
/// string), anything else from a JSON body. Type errors and missing required fields are MLflow's
/// INVALID_PARAMETER_VALUE with its wording.
/// </summary>
internal sealed partial class MlflowRequest : IDisposable
{
    private const string Hint = "See the API docs for more information about request parameters.";

    private readonly IReadOnlyDictionary<string, StringValues>? _query;
    private readonly IReadOnlyDictionary<string, object?>? _route;
    private JsonElement _body;
    // A log-batch body is kept as bytes and parsed on first use: its one-pass reader reads the bytes, and the body
    // becomes a document only when that reader declines it.
    private BoundedBody? _raw;
    private Dictionary<string, IReadOnlyList<string>>? _narrowed;
    private object? _parsed;

    private MlflowRequest(JsonElement body, IReadOnlyDictionary<string, StringValues>? query, IReadOnlyDictionary<string, object?>? route, long? bodyLength)
    {
        _body = body;
        _query = query;
        _route = route;
        BodyLength = bodyLength;
    }

    /// <summary>The size of the request body in bytes as read, when it was read.</summary>
    public long? BodyLength { get; }

    /// <summary>Who sent the request, when the server authenticates (basic-auth on); null otherwise.</summary>
    public string? Username { get; private init; }

    /// <summary>The body's bytes when the route keeps them (log-batch); empty otherwise or once parsed.</summary>
    public ReadOnlySpan<byte> RawBody => _raw is null ? default : _raw.Memory.Span;

    public static MlflowRequest FromJson(JsonElement body) => new(body, null, null, null);

    /// <summary>A request over a body's bytes, checked and parsed as a request body is.</summary>
    internal static MlflowRequest FromBytes(ReadOnlyMemory<byte> body)
    {
        var text = CheckedText(body);
        return new MlflowRequest(ParseBody(text), null, null, body.Length);
    }

    public void Dispose()
    {
        _raw?.Dispose();
        _raw = null;
    }

    /// <summary>
    /// What <paramref name="parse"/> makes of this request, made once: the permission check and the handler of a route
    /// that reads its request into a record of its own (log-batch) share that record.
    /// </summary>
    public T Parsed<T>(Func<MlflowRequest, T> parse)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (_parsed is T known)
        {
            return known;
        }

        var made = parse(this);
        _parsed = made;
        return made;
    }

    /// <summary>
    /// Replaces a repeated field's values, for the auth layer's narrowing of a search to what the caller may read
    /// before the handler runs (MLflow's basic-auth does this to the request too).
    /// </summary>
    public void Narrow(string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        (_narrowed ??= new(StringComparer.Ordinal))[name] = values;
    }

    /// <summary>A value of the route's template (the artifact proxy's <c>{**path}</c>), as routing decoded it.</summary>
    public string? Route(string name) =>
        _route is not null && _route.TryGetValue(name, out var value) ? value?.ToString() : null;

    /// <summary>A string field; JSON numbers are accepted and stringified (MLflow does so for ids).</summary>
    public string? String(string name)
    {
        if (_narrowed is not null && _narrowed.TryGetValue(name, out var narrowed))
        {
            return narrowed.Count > 0 ? narrowed[0] : null;
        }

        if (_query is not null)
        {
            return _query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
        }

        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw InvalidType(name, value),
        };
    }

    public string RequireString(string name) =>
        String(name) is { Length: > 0 } value ? value : throw Missing(name);

    public long? Int64(string name)
    {
        if (_query is not null)
        {
            var text = String(name);
            return text is null ? null
                : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : throw TrackingException.Invalid($"Invalid value {text} for parameter '{name}' supplied. Hint: Value was of type 'str'. {Hint}");
        }

        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        // Protobuf's JSON parser (MLflow's) takes an integral float for an int64 too: 1.7e12 or 5.0, as some JSON
        // encoders write whole numbers held in doubles (R's jsonlite writes timestamps that way).
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var whole) && whole == Math.Floor(whole) && Math.Abs(whole) < 9.2e18)
        {
            return (long)whole;
        }

        // Protobuf JSON takes int64 values as numeric strings too.
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fromString))
        {
            return fromString;
        }

        throw InvalidType(name, value);
    }

    public long RequireInt64(string name) => Int64(name) ?? throw Missing(name);

    public double? Double(string name)
    {
        if (_query is not null)
        {
            return String(name) is { } text ? ParseDouble(name, text, "str") : null;
        }

        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out var number) ? number : throw InvalidType(name, value),
            JsonValueKind.String => ParseDouble(name, value.GetString()!, "str"),
            _ => throw InvalidType(name, value),
        };
    }

    public bool? Bool(string name)
    {
        if (_query is not null)
        {
            var text = String(name);
            return text is null ? null
                : string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) ? true
                : string.Equals(text, "false", StringComparison.OrdinalIgnoreCase) ? false
                : throw TrackingException.Invalid($"Invalid boolean value: {text}, must be 'true' or 'false'.");
        }

        return TryGet(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw InvalidType(name, value),
            }
            : null;
    }

    /// <summary>A boolean given as JSON true/false or as the text "true"/"false" in any case (basic-auth's is_admin); required.</summary>
    public bool RequireFlag(string name)
    {
        if (_query is null && TryGet(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.ValueKind == JsonValueKind.True;
        }

        var text = RequireString(name);
        return string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) ? true
            : string.Equals(text, "false", StringComparison.OrdinalIgnoreCase) ? false
            : throw TrackingException.Invalid($"Invalid boolean value: {text}, must be 'true' or 'false'.");
    }

    /// <summary>A repeated string field: a JSON array, or every occurrence of the key in a query string.</summary>
    public IReadOnlyList<string> StringList(string name)
    {
        if (_narrowed is not null && _narrowed.TryGetValue(name, out var narrowed))
        {
            return narrowed;
        }

        if (_query is not null)
        {
            return _query.TryGetValue(name, out var values) ? values.Where(v => v is not null).Select(v => v!).ToList() : [];
        }

        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw InvalidType(name, value);
        }

        return value.EnumerateArray().Select(item => item.ValueKind switch
        {
            JsonValueKind.String => item.GetString()!,
            JsonValueKind.Number => item.GetRawText(),
            _ => throw InvalidType(name, value),
        }).ToList();
    }

    /// <summary>A repeated message field (JSON bodies only): its items, each read as a request of its own.</summary>
    public IReadOnlyList<MlflowRequest> Messages(string name)
    {
        if (_query is not null || !TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.Object))
        {
            throw InvalidType(name, value);
        }

        return value.EnumerateArray().Select(FromJson).ToList();
    }

    /// <summary>A nested message field, or null.</summary>
    public MlflowRequest? Message(string name)
    {
        if (_query is not null || !TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? FromJson(value) : throw InvalidType(name, value);
    }

    /// <summary>An enum given by name (<c>"FINISHED"</c>) or number (<c>3</c>), as protobuf JSON allows.</summary>
    public T? Enum<T>(string name, Func<string, T?> byName, Func<long, T?> byNumber)
        where T : struct
    {
        if (_query is null && TryGet(name, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            return (value.TryGetInt64(out var number) ? byNumber(number) : null)
                ?? throw TrackingException.Invalid($"Invalid value {value.GetRawText()} for parameter '{name}' supplied. {Hint}");
        }

        var text = String(name);
        if (text is null)
        {
            return null;
        }

        return byName(text)
            ?? (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? byNumber(parsed) : null)
            ?? throw TrackingException.Invalid($"Invalid value {text} for parameter '{name}' supplied. {Hint}");
    }

    /// <summary>The names of the body's top-level fields (none for a query string), for routes that refuse unknown ones.</summary>
    public IReadOnlyList<string> BodyFields()
    {
        if (_query is not null || !TryGet("", out _) && _body.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return _body.EnumerateObject().Select(p => p.Name).ToList();
    }

    /// <summary>A field holding an object of strings (<c>{"NAME": "value"}</c>), in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> StringMap(string name)
    {
        if (_query is not null || !TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw InvalidType(name, value);
        }

        return value.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.String
            ? new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)
            : throw TrackingException.Invalid($"Invalid value {p.Value.GetRawText()} for parameter '{name}.{p.Name}' supplied: give it as a string, as -P takes it ('[\"a\"]', '3', 'true').")).ToList();
    }

    public static TrackingException Missing(string name) =>
        TrackingException.Invalid($"Missing value for required parameter '{name}'. {Hint}");

    private bool TryGet(string name, out JsonElement value)
    {
        if (_raw is not null)
        {
            var raw = _raw;
            _raw = null;
            using (raw)
            {
                _body = ParseBody(JsonText.WithoutBom(raw.Memory));
            }
        }

        if (_body.ValueKind == JsonValueKind.Object && _body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    private static double ParseDouble(string name, string text, string type) => TryParseDouble(text, out var parsed)
        ? parsed
        : throw TrackingException.Invalid($"Invalid value {text} for parameter '{name}' supplied. Hint: Value was of type '{type}'. {Hint}");

    /// <summary>A double from its text: a number, or protobuf JSON's "NaN", "Infinity" and "-Infinity".</summary>
    internal static bool TryParseDouble(string text, out double value)
    {
        (var known, value) = text switch
        {
            "NaN" => (true, double.NaN),
            "Infinity" => (true, double.PositiveInfinity),
            "-Infinity" => (true, double.NegativeInfinity),
            _ => (false, 0),
        };
        return known || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static TrackingException InvalidType(string name, JsonElement value)
    {
        var type = value.ValueKind switch
        {
            JsonValueKind.String => "str",
            JsonValueKind.Number => value.TryGetInt64(out _) ? "int" : "float",
            JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValueKind.Array => "list",
            JsonValueKind.Object => "dict",
            _ => "NoneType",
        };
        return TrackingException.Invalid($"Invalid value {value.GetRawText()} for parameter '{name}' supplied. Hint: Value was of type '{type}'. {Hint}");
    }
}
