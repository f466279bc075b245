using System.Globalization;
using System.Text.Json;
using Fathom.Tracking;
using Microsoft.Extensions.Primitives;

namespace Fathom.Mlflow;

/// <summary>
/// The parameters of one MLflow RPC, read the way MLflow's Flask handlers read them: a GET from its query
/// string (repeated keys for lists; a JSON body only when there is no query string), anything else from a JSON
/// body. Type errors and missing required fields are MLflow's INVALID_PARAMETER_VALUE with its wording.
/// </summary>
internal sealed class MlflowRequest : IDisposable
{
    private const string Hint = "See the API docs for more information about request parameters.";

    private readonly IQueryCollection? _query;
    private JsonElement _body;
    // A capped body is kept as bytes and parsed on first use: log-batch reads its own in one pass and parses
    // it into a document only when it must word an error the way the general reader does.
    private BoundedBody? _raw;

    private MlflowRequest(JsonElement body, IQueryCollection? query, long? bodyLength = null)
    {
        _body = body;
        _query = query;
        BodyLength = bodyLength;
    }

    private MlflowRequest(BoundedBody raw)
        : this(default, null, raw.Length)
    {
        _raw = raw;
    }

    /// <summary>
    /// The size of the request body in bytes: counted while reading it when the RPC caps its body (see
    /// <see cref="ReadAsync"/>), otherwise as the client declared it (Content-Length), when it did.
    /// </summary>
    public long? BodyLength { get; }

    /// <summary>Who sent the request, when the server authenticates (basic-auth on); null otherwise.</summary>
    public string? Username { get; private init; }

    public static MlflowRequest FromJson(JsonElement body) => new(body, null);

    /// <summary>A request over a body's bytes, read as <see cref="ReadAsync"/> reads a body.</summary>
    internal static MlflowRequest FromBytes(ReadOnlyMemory<byte> body) => new(ParseBody(body), null, body.Length);

    /// <summary>The body's bytes when the RPC caps its body and it was within the cap; empty otherwise.</summary>
    public ReadOnlySpan<byte> RawBody => _raw is null ? default : _raw.Memory.Span;

    public void Dispose()
    {
        _raw?.Dispose();
        _raw = null;
    }

    /// <summary>
    /// Reads an RPC's parameters. With <paramref name="maxBodyBytes"/>, a body declared longer is not read at all and
    /// one that turns out longer (chunked, or a wrong Content-Length) is counted to its end but not kept or parsed:
    /// its parameters read as empty and <see cref="BodyLength"/> tells the handler how long it was.
    /// </summary>
    public static async Task<MlflowRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken, long? maxBodyBytes = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        // DELETE carries a JSON body from MLflow's Python client, but other clients put its parameters in the query string.
        var hasQuery = request.QueryString.HasValue && request.QueryString.Value!.Length > 1;
        var username = request.HttpContext.User.Identity is { IsAuthenticated: true } identity ? identity.Name : null;
        if (hasQuery && (HttpMethods.IsGet(request.Method) || (HttpMethods.IsDelete(request.Method) && request.ContentLength is null or 0)))
        {
            return new MlflowRequest(default, request.Query) { Username = username };
        }

        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
        {
            var contentType = request.ContentType;
            if (string.IsNullOrEmpty(contentType))
            {
                throw TrackingException.Invalid("Bad Request. Content-Type header is missing.");
            }

            var media = contentType.Split(';', 2)[0].Trim();
            if (!string.Equals(media, "application/json", StringComparison.OrdinalIgnoreCase))
            {
                throw TrackingException.Invalid("Bad Request. Content-Type must be one of ['application/json']");
            }
        }

        if (maxBodyBytes is { } max)
        {
            if (request.ContentLength > max)
            {
                return new MlflowRequest(default, null, request.ContentLength) { Username = username };
            }

            var raw = await BoundedBody.ReadAsync(request.Body, request.ContentLength, max, cancellationToken);
            return new MlflowRequest(raw) { Username = username };
        }

        return new MlflowRequest(await ReadBodyAsync(request.Body, cancellationToken), null, request.ContentLength) { Username = username };
    }

    // The body's bytes when it holds at most max of them, else null; and how many it held. An oversized body is read to
    // its end (Kestrel's own request-size limit bounds that) so the refusal can say how large it was.
    internal static async Task<(byte[]? Bytes, long Length)> ReadBoundedAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        using var kept = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        long total = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                total += read;
                if (total <= max)
                {
                    kept.Write(chunk, 0, read);
                }
            }
        }
        catch (BadHttpRequestException) when (total > max)
        {
            // Past Kestrel's limit too: what was counted already proves the body too large.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return (total <= max ? kept.ToArray() : null, total);
    }

    // An empty or unparsable body counts as {}; a body that is a JSON string holding JSON (old clients
    // double-encoded it) is decoded once more — both as MLflow does.
    private static async Task<JsonElement> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(body, default, cancellationToken);
            return RootObject(document.RootElement);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static JsonElement ParseBody(ReadOnlyMemory<byte> body)
    {
        // As JsonDocument.ParseAsync does for a stream (above), a UTF-8 byte order mark is skipped.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return RootObject(document.RootElement);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static JsonElement RootObject(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.String)
        {
            using var inner = JsonDocument.Parse(root.GetString()!);
            return inner.RootElement.ValueKind == JsonValueKind.Object ? inner.RootElement.Clone() : default;
        }

        return root.ValueKind == JsonValueKind.Object ? root.Clone() : default;
    }

    /// <summary>A string field; JSON numbers are accepted and stringified (MLflow does so for ids).</summary>
    public string? String(string name)
    {
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
            JsonValueKind.Number => value.GetDouble(),
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

    /// <summary>A repeated string field: a JSON array, or every occurrence of the key in a query string.</summary>
    public IReadOnlyList<string> StringList(string name)
    {
        if (_query is not null)
        {
            return _query.TryGetValue(name, out StringValues values) ? values.Where(v => v is not null).Select(v => v!).ToList() : [];
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
            return byNumber(value.GetInt64()) ?? throw TrackingException.Invalid($"Invalid value {value.GetRawText()} for parameter '{name}' supplied. {Hint}");
        }

        var text = String(name);
        if (text is null)
        {
            return null;
        }

        return byName(text)
            ?? (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? byNumber(number) : null)
            ?? throw TrackingException.Invalid($"Invalid value {text} for parameter '{name}' supplied. {Hint}");
    }

    public static TrackingException Missing(string name) =>
        TrackingException.Invalid($"Missing value for required parameter '{name}'. {Hint}");

    private bool TryGet(string name, out JsonElement value)
    {
        if (_raw is not null)
        {
            _body = _raw.TooLarge ? default : ParseBody(_raw.Memory);
            _raw.Dispose();
            _raw = null;
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
