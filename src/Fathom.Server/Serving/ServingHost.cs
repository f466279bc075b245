using Fathom.Http;
using Fathom.Server.Http;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

namespace Fathom.Serving;

/// <summary>
/// Composes the serving web host: Kestrel on one address, the model API (the reference template's routes and
/// MLflow's scoring protocol), Prometheus metrics, OpenAPI and its interactive docs.
/// </summary>
internal static class ServingHost
{
    public static WebApplication Build(ServedModel served, ServingOptions options, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "fathom-serve" });
        builder.WebHost.UseUrls(BindAddress.Url(options.Host, options.Port));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServingJsonContext.Default));
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Fathom model serving";
                document.Info.Description = $"Sentiment model {served.ModelUuid}: score movie reviews.";

                // Relative to where the document was fetched, so "Try it" works behind a proxy or on any address
                // the server answers on (the default names the Host header of whoever asked first).
                document.Servers = [new() { Url = "/" }];
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(ServingExamples.Apply);
            o.AddOperationTransformer(new InvocationsDocumentation(served).Apply);
        });

        builder.Services.AddSingleton(new ErrorShape(WriteDetailAsync));
        var metrics = options.Metrics ? new ServingMetrics(served) : null;
        // Created by the container so that stopping the host stops the micro-batch workers.
        builder.Services.AddSingleton(services => new ReviewScorer(served.Model, metrics, options.MicroBatch ? new MicroBatcher(served.Model, metrics, options) : null,
            options.PredictionLog is { } log ? PredictionLogs.Open(log, served, services.GetRequiredService<ILoggerFactory>().CreateLogger("Fathom.Serving.PredictionLog")) : null));
        var app = builder.Build();
        if (metrics is not null)
        {
            app.UseMiddleware<ServingMetricsMiddleware>(metrics);
        }

        app.UseMiddleware<ErrorBodies>();
        app.UseRouting();
        app.UseMiddleware<CanonicalRoutes>();
        app.MapOpenApi();
        app.MapOpenApi("/openapi.json"); // where FastAPI serves it, so the template's users find it
        // Offline: the page's script is served from this assembly; no web fonts, AI agent, MCP or telemetry calls.
        app.MapScalarApiReference("/docs", o => o
            .WithTitle("Fathom model serving")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .HideDeveloperTools());
        app.MapSentimentServingApi(served, options);
        app.MapScoringProtocolApi(options);
        if (metrics is not null)
        {
            app.MapServingMetrics(metrics);
        }

        return app;
    }

    // FastAPI's error body, as the reference template's clients read it: {"detail": "..."}.
    private static Task WriteDetailAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorDetail(message), ServingJsonContext.Default.ErrorDetail, cancellationToken: context.RequestAborted);
    }
}
