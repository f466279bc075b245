using System.Globalization;

namespace Fathom.Endpoints;

/// <summary>
/// The endpoint's front door: a Kestrel listener on the endpoint's own port that forwards every request, path and
/// query unchanged, to a replica of the version the request falls to. The request body is read once, so a request
/// that cannot reach a replica (it was just stopped, or died) is sent again to another one — what keeps a swap free
/// of failed requests. Answers carry the version that served them.
/// </summary>
internal sealed class EndpointRouter(RunningEndpoint endpoint, HttpClient http)
{
    /// <summary>The response header naming the model version that answered.</summary>
    public const string VersionHeader = "X-Fathom-Model-Version";

    // Kestrel's request limit, as fathom serve's; the scorer refuses what it cannot take.
    private const long MaxBodyBytes = 30_000_000;
    private const int MaxAttempts = 6;

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host", "Content-Length",
    };

    private int _next;

    public static WebApplication Build(string host, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "fathom-endpoint" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(Fathom.Server.Http.BindAddress.Url(host, port));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        return builder.Build();
    }

    public async Task ForwardAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.RequestAborted;
        byte[]? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, ct);
            body = buffer.ToArray();
        }

        var session = context.Request.Headers[EndpointTraffic.SessionHeader].ToString();
        string? lastError = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var replica = Pick(endpoint.Pools, session);
            if (replica is null)
            {
                // Starting, or every replica just failed: the next set may be a moment away.
                lastError = endpoint.Pools is null ? "the endpoint is starting" : "no replica is healthy";
                await Task.Delay(100 * (attempt + 1), ct);
                continue;
            }

            replica.Enter();
            try
            {
                using var request = Request(context, replica, body);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                await CopyAsync(response, context, replica, ct);
                return;
            }
            catch (HttpRequestException e)
            {
                // Nothing reached the client yet: another replica may answer. This one is left out until it is replaced.
                replica.Healthy = false;
                lastError = e.Message;
            }
            finally
            {
                replica.Exit();
            }
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        await context.Response.WriteAsJsonAsync(new { detail = $"Endpoint '{endpoint.Name}' cannot answer: {lastError}." }, ct);
    }

    private Replica? Pick(EndpointPools? pools, string session)
    {
        if (pools is null || pools.Pools.Count == 0)
        {
            return null;
        }

        var pool = pools.Pools[0];
        if (pools.Split is { } split)
        {
            var version = EndpointTraffic.Pick(split, session, Random.Shared);
            pool = pools.Pools.FirstOrDefault(p => p.Version == version) ?? pool;
        }

        return Healthy(pool) ?? pools.Pools.Select(Healthy).FirstOrDefault(r => r is not null);
    }

    private Replica? Healthy(VersionPool pool)
    {
        var count = pool.Replicas.Count;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        for (var i = 0; i < count; i++)
        {
            var replica = pool.Replicas[(start + i) % count];
            if (replica.Healthy && !replica.HasExited)
            {
                return replica;
            }
        }

        return null;
    }

    private static HttpRequestMessage Request(HttpContext context, Replica replica, byte[]? body)
    {
        var incoming = context.Request;
        var target = new Uri(replica.BaseUri, incoming.Path.Value?.TrimStart('/') + incoming.QueryString.Value);
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), target);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && request.Content is not null)
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return request;
    }

    private async Task CopyAsync(HttpResponseMessage response, HttpContext context, Replica replica, CancellationToken ct)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        context.Response.Headers[VersionHeader] = replica.Version.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-Fathom-Endpoint"] = endpoint.Name;
        await response.Content.CopyToAsync(context.Response.Body, ct);
    }
}
