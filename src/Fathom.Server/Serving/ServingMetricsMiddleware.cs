using System.Diagnostics;

namespace Fathom.Serving;

/// <summary>
/// Times every request and counts its answer. Runs outside the error-body middleware, so the status counted is the
/// one the client got, 500s included; the route is the matched endpoint's pattern (<c>unmatched</c> for none).
/// </summary>
internal sealed class ServingMetricsMiddleware(RequestDelegate next, ServingMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.RecordRequest(route, context.Request.Method, context.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }
}
