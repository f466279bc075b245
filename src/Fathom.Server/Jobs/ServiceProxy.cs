using System.Globalization;
using System.Net;
using Fathom.Auth;
using Fathom.Http;
using Fathom.Mlflow;
using Microsoft.AspNetCore.Http.Features;

namespace Fathom.Jobs;

/// <summary>
/// <c>/services/&lt;run-uuid&gt;/…</c>: the server's reverse proxy to a running service (Polyaxon's services behind its
/// gateway), on the port the run listens on here (<see cref="ServiceEndpoint"/>). With <c>rewritePath: true</c> the
/// prefix is stripped, as Polyaxon strips its base URL; otherwise the full path goes on, which a service serving under
/// <c>{{ globals.base_url }}</c> expects. Bodies stream both ways (nothing is buffered, an upload may be of any size),
/// hop-by-hop headers stay on their own hop, WebSockets are relayed frame by frame, and a
/// service that does not answer is a 502 naming the run and the port.
/// </summary>
internal sealed partial class ServiceProxy(JobQueue queue, ErrorShape errors) : IDisposable
{
    // RFC 9110 §7.6.1's connection-specific fields, and the proxy ones of RFC 9110 §11.7; with those a Connection header names.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    // No redirects followed (the browser follows them), no cookies kept (they are the browser's), no decompression (the
    // bytes pass as the service sent them), no system proxy (the service is on loopback).
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    });

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Maps the proxy. Its permission is EDIT (update) on the run's project, not READ: a service is a live program of the
    /// run — a notebook or an editor runs any code as the server's user — so reaching it is as much as submitting a job
    /// on the project, which needs EDIT. The caller's credentials stop here (the Authorization header is not forwarded).
    /// </summary>
    public static IEndpointRouteBuilder MapServiceProxy(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var proxy = app.ServiceProvider.GetRequiredService<ServiceProxy>();
        app.Map(JobRunner.ServiceBasePath + "{uuid}/{**path}", proxy.ProxyAsync)
            .WithMetadata(MlflowRoute.Upload, RoutePermission.JobRun(Access.Update, r => r.Route("uuid") ?? throw MlflowRequest.Missing("uuid")))
            .WithDisplayName("service proxy");
        return app;
    }

    public async Task ProxyAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.RequestAborted;
        var given = (string)context.Request.RouteValues["uuid"]!;
        var run = await queue.Store.GetRunAsync(given, ct);
        if (run is null)
        {
            await errors.WriteAsync(context, StatusCodes.Status404NotFound, $"No run of a job with uuid {given}.");
            return;
        }

        if (run.Kind != "service")
        {
            await errors.WriteAsync(context, StatusCodes.Status404NotFound, $"Run {run.Uuid} is a {run.Kind}, not a service: only runs with run.kind: service are reached through /services/.");
            return;
        }

        var endpoint = JobQueue.RunFolder(run) is { } folder ? ServiceEndpoint.Read(folder) : null;
        if (run.Status != JobStatus.Running || endpoint is not { Ports: [var port, ..] })
        {
            await errors.WriteAsync(context, StatusCodes.Status502BadGateway,
                $"The service of run {run.Uuid} is not running (status {run.Status.Name()}); fathom ops get {run.Uuid[..8]} says why.");
            return;
        }

        var target = Target(context, given, port, endpoint.RewritePath);
        if (context.WebSockets.IsWebSocketRequest)
        {
            await RelayWebSocketAsync(context, run.Uuid, target, ct);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null; // what the service accepts is the service's to say
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target) { Version = HttpVersion.Version11 };
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        CopyRequestHeaders(context, request, given, endpoint.RewritePath);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            await errors.WriteAsync(context, StatusCodes.Status502BadGateway,
                $"The service of run {run.Uuid} did not answer on 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}: {e.Message}");
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            CopyResponseHeaders(response, context.Response);
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await context.Response.StartAsync(ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            try
            {
                await body.CopyToAsync(context.Response.Body, ct);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                // The service went away mid-answer: the status is sent, so the connection is cut for the client to see it.
                context.Abort();
            }
        }
    }

    /// <summary>The service's URL for this request: its path with the prefix stripped (rewritePath) or whole, and its query.</summary>
    private static Uri Target(HttpContext context, string given, int port, bool rewritePath)
    {
        var path = context.Request.Path;
        if (rewritePath)
        {
            path = path.StartsWithSegments(JobRunner.ServiceBasePath + given, StringComparison.Ordinal, out var rest) && rest.HasValue ? rest : new PathString("/");
        }

        return new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path.ToUriComponent()}{context.Request.QueryString.ToUriComponent()}");
    }

    private static void CopyRequestHeaders(HttpContext context, HttpRequestMessage request, string given, bool rewritePath)
    {
        var connection = ConnectionNamed(context.Request.Headers.Connection);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name) || connection.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // What the service cannot see for itself behind the proxy (the de-facto X-Forwarded-* set).
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
        if (rewritePath)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", JobRunner.ServiceBasePath + given);
        }
    }

    private static void CopyResponseHeaders(HttpResponseMessage response, HttpResponse to)
    {
        var connection = ConnectionNamed(string.Join(',', response.Headers.Connection));
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name) && !connection.Contains(name))
            {
                to.Headers[name] = values.ToArray();
            }
        }
    }

    private static HashSet<string> ConnectionNamed(string? header) =>
        new((header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);
}
