using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Remote;

/// <summary>
/// The HTTP side of talking to an MLflow-compatible tracking server (Fathom's own or MLflow's): authentication
/// from MLflow's environment variables, MLflow's error bodies turned into <see cref="TrackingException"/>s, and
/// retries of transient failures so a short server outage costs time, not data.
/// </summary>
/// <remarks>
/// The retry loop is written here rather than taken from Polly because Core references only the BCL; it is a
/// plain capped exponential back-off over idempotent-safe MLflow calls (MLflow's own client retries the same way).
/// </remarks>
internal sealed class MlflowConnection : IDisposable
{
    private static readonly TimeSpan[] Backoff =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4),
         TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8)];

    private readonly HttpClient _http;

    public MlflowConnection(Uri trackingUri, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(trackingUri);
        BaseUri = new Uri(trackingUri.AbsoluteUri.TrimEnd('/') + "/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromSeconds(120);
        var user = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_USERNAME");
        var password = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_PASSWORD");
        var token = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_TOKEN");
        if (!string.IsNullOrEmpty(user))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        else if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>The tracking URI with a trailing slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>POSTs JSON to <c>api/2.0/mlflow/&lt;endpoint&gt;</c> and returns the response object.</summary>
    public Task<JsonObject> PostAsync(string endpoint, JsonObject body, CancellationToken cancellationToken) =>
        SendJsonAsync(HttpMethod.Post, endpoint, body, cancellationToken);

    /// <summary>
    /// POSTs JSON to <c>ajax-api/2.0/mlflow/&lt;endpoint&gt;</c>: the RPCs that MLflow's server answers only under the
    /// prefix of its web UI (SearchDatasets, whose proto path lacks the leading slash that would mount it under api/).
    /// </summary>
    public Task<JsonObject> PostAjaxAsync(string endpoint, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, "ajax-api/2.0/mlflow/" + endpoint))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, cancellationToken);

    /// <summary>Sends JSON with another verb (the registry PATCHes updates and DELETEs with a body, as MLflow's clients do).</summary>
    public Task<JsonObject> SendJsonAsync(HttpMethod method, string endpoint, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(method, new Uri(BaseUri, "api/2.0/mlflow/" + endpoint))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, cancellationToken);

    /// <summary>GETs <c>api/2.0/mlflow/&lt;endpoint&gt;?query</c>; null when the server answers 404 RESOURCE_DOES_NOT_EXIST.</summary>
    public async Task<JsonObject?> GetOrNullAsync(string endpoint, IEnumerable<(string Key, string Value)> query, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync(endpoint, query, cancellationToken);
        }
        catch (TrackingException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>GETs <c>api/2.0/mlflow/&lt;endpoint&gt;?query</c> (repeated keys for lists, as MLflow's clients send).</summary>
    public Task<JsonObject> GetAsync(string endpoint, IEnumerable<(string Key, string Value)> query, CancellationToken cancellationToken)
    {
        var queryString = string.Join('&', query.Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value)));
        return SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "api/2.0/mlflow/" + endpoint + (queryString.Length > 0 ? "?" + queryString : ""))), cancellationToken);
    }

    /// <summary>Sends a raw request to a path below the tracking URI (artifact proxy), with the same retries and error mapping.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(Func<HttpRequestMessage> request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request(), completion, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < Backoff.Length)
            {
                await Task.Delay(Backoff[attempt], cancellationToken);
                continue;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested && attempt < Backoff.Length)
            {
                _ = e; // the HTTP timeout, not the caller, cancelled: retry
                await Task.Delay(Backoff[attempt], cancellationToken);
                continue;
            }

            if (IsTransient(response.StatusCode) && attempt < Backoff.Length)
            {
                response.Dispose();
                await Task.Delay(Backoff[attempt], cancellationToken);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw await ToExceptionAsync(response, cancellationToken);
                }
            }

            return response;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonObject> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return string.IsNullOrWhiteSpace(text) ? [] : JsonNode.Parse(text) as JsonObject ?? [];
    }

    private static bool IsTransient(HttpStatusCode status) =>
        // Not 500: MLflow also answers INVALID_STATE with 500, and repeating a refused request cannot help.
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    // MLflow answers {"error_code", "message"}; anything else (a proxy's HTML page) is mapped by status like MLflow's client does.
    private static async Task<TrackingException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? code = null;
        var message = text;
        try
        {
            if (JsonNode.Parse(text) is JsonObject json)
            {
                code = json["error_code"]?.GetValue<string>();
                message = json["message"]?.GetValue<string>() ?? text;
            }
        }
        catch (JsonException)
        {
        }

        var errorCode = code switch
        {
            "RESOURCE_DOES_NOT_EXIST" or "NOT_FOUND" or "ENDPOINT_NOT_FOUND" => ErrorCode.ResourceDoesNotExist,
            "RESOURCE_ALREADY_EXISTS" => ErrorCode.ResourceAlreadyExists,
            "INVALID_PARAMETER_VALUE" or "BAD_REQUEST" => ErrorCode.InvalidParameterValue,
            "INVALID_STATE" => ErrorCode.InvalidState,
            "PERMISSION_DENIED" or "UNAUTHENTICATED" => ErrorCode.PermissionDenied,
            null => response.StatusCode switch
            {
                HttpStatusCode.NotFound => ErrorCode.ResourceDoesNotExist,
                HttpStatusCode.BadRequest => ErrorCode.InvalidParameterValue,
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ErrorCode.PermissionDenied,
                _ => ErrorCode.InternalError,
            },
            _ => ErrorCode.InternalError,
        };
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            message += " (set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)";
        }

        return new TrackingException(errorCode, $"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)}: {message}");
    }
}
