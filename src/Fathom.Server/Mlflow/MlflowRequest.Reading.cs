using System.Text.Json;
using Fathom.Http;
using Fathom.Tracking;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Fathom.Mlflow;

internal sealed partial class MlflowRequest
{
    /// <summary>
    /// Duplicate keys are refused rather than resolved: JsonDocument keeps the last, a hand-written reader might keep
    /// the first, and a body that says two things is how a permission check and a handler come to disagree.
    /// </summary>
    internal static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>
    /// Reads a request's parameters, once: the query string and route values, and the body as the route says
    /// (<see cref="MlflowRoute"/>). A body longer than the route allows is refused with the route's own words; a body
    /// that is not valid UTF-8, holds a lone surrogate escape, is not one JSON object, repeats a key, or comes with
    /// a query string on a method that reads its body, is refused with INVALID_PARAMETER_VALUE.
    /// </summary>
    public static async Task<MlflowRequest> ReadAsync(HttpContext context, MlflowRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        var request = context.Request;
        var username = context.User.Identity is { IsAuthenticated: true } identity ? identity.Name : null;
        var query = ReadQuery(request.QueryString);
        var routeValues = request.RouteValues.Count == 0 ? null : new Dictionary<string, object?>(request.RouteValues, StringComparer.Ordinal);
        if (route.StreamsBody || (HttpMethods.IsGet(request.Method) && query is not null))
        {
            // MLflow reads a GET's query string and never its body when there is one; an upload's body is the file.
            return new MlflowRequest(default, query ?? Empty, routeValues, null) { Username = username };
        }

        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
        {
            CheckContentType(request.ContentType);
        }

        if (request.ContentLength > route.MaxBodyBytes)
        {
            throw route.TooLarge(request.ContentLength.Value);
        }

        var raw = await BoundedBody.ReadAsync(request.Body, request.ContentLength, route.MaxBodyBytes, cancellationToken);
        try
        {
            if (raw.TooLarge)
            {
                throw route.TooLarge(raw.Length);
            }

            var text = CheckedText(raw.Memory);
            if (JsonText.IsBlank(text.Span))
            {
                // No body: the parameters are the query string's (clients other than MLflow's send DELETE that way).
                raw.Dispose();
                return new MlflowRequest(default, query, routeValues, raw.Length) { Username = username };
            }

            if (query is not null)
            {
                throw TrackingException.Invalid("Send the request's parameters either in the query string or in the JSON body, not in both.");
            }

            if (route.KeepsRawBody)
            {
                return new MlflowRequest(default, null, routeValues, raw.Length) { Username = username, _raw = raw };
            }

            var body = ParseBody(text);
            raw.Dispose();
            return new MlflowRequest(body, null, routeValues, raw.Length) { Username = username };
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    private static readonly IReadOnlyDictionary<string, StringValues> Empty = new Dictionary<string, StringValues>(StringComparer.Ordinal);

    // MLflow's Flask reads query keys as written: run_id, not RUN_ID. ASP.NET's own query collection folds case, so the
    // query string is read here, keys compared ordinally, values in the order given.
    private static Dictionary<string, StringValues>? ReadQuery(QueryString queryString)
    {
        if (!queryString.HasValue || queryString.Value!.Length <= 1)
        {
            return null;
        }

        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var pair in new QueryStringEnumerable(queryString.Value))
        {
            var key = pair.DecodeName().ToString();
            var value = pair.DecodeValue().ToString();
            values[key] = values.TryGetValue(key, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }

        return values.Count == 0 ? null : values;
    }

    // MLflow's _validate_content_type: POST and PUT must say application/json.
    private static void CheckContentType(string? contentType)
    {
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

    // The body's root object; a body that is a JSON string holding JSON (old clients double-encoded it) is decoded
    // once more, as MLflow does. Anything else is refused: a body the server cannot read is never read as empty.
    internal static JsonElement ParseBody(ReadOnlyMemory<byte> text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, DocumentOptions);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                // The inner text is checked as a body is: its escapes could hide a lone surrogate the outer check never saw.
                using var inner = JsonDocument.Parse(CheckedText(System.Text.Encoding.UTF8.GetBytes(root.GetString()!)), DocumentOptions);
                return inner.RootElement.ValueKind == JsonValueKind.Object ? inner.RootElement.Clone() : throw NotAnObject();
            }

            return root.ValueKind == JsonValueKind.Object ? root.Clone() : throw NotAnObject();
        }
        catch (JsonException e)
        {
            throw TrackingException.Invalid($"Malformed JSON request body: {e.Message}");
        }
    }

    // Every body passes this before any reader sees it (see JsonText): the readers then only meet text they can decode.
    private static ReadOnlyMemory<byte> CheckedText(ReadOnlyMemory<byte> body)
    {
        body = JsonText.WithoutBom(body);
        return JsonText.Problem(body.Span) is { } problem ? throw TrackingException.Invalid(problem) : body;
    }

    private static TrackingException NotAnObject() => TrackingException.Invalid("The request body must be a JSON object.");
}
