using Fathom.Http;
using Fathom.Server.Http;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

namespace Fathom.Serving;

/// <summary>Composes the serving web host: Kestrel on one address, the model API, OpenAPI and its interactive docs.</summary>
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
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Fathom model serving";
            document.Info.Description = $"Sentiment model {served.ModelUuid}: score movie reviews.";
            return Task.CompletedTask;
        }));

        builder.Services.AddSingleton(new ErrorShape(WriteDetailAsync));
        var app = builder.Build();
        app.UseMiddleware<ErrorBodies>();
        app.UseRouting();
        app.UseMiddleware<CanonicalRoutes>();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Fathom model serving").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapSentimentServingApi(served, options);
        return app;
    }

    // FastAPI's error body, as the reference template's clients read it: {"detail": "..."}.
    private static Task WriteDetailAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorDetail(message), ServingJsonContext.Default.ErrorDetail, cancellationToken: context.RequestAborted);
    }
}
