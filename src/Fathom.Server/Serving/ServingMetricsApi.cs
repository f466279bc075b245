namespace Fathom.Serving;

/// <summary><c>GET /metrics</c>: the host's metrics in Prometheus' text exposition format, for a scraper.</summary>
internal static class ServingMetricsApi
{
    public static IEndpointRouteBuilder MapServingMetrics(this IEndpointRouteBuilder app, ServingMetrics metrics)
    {
        app.MapGet("/metrics", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
            })
            .WithTags("monitoring")
            .WithName("metrics")
            .WithSummary("Prometheus metrics: requests, errors and latency by route, batch sizes, the served model");
        return app;
    }
}
