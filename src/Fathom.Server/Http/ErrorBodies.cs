namespace Fathom.Http;

/// <summary>
/// Every error answer gets a JSON body in its API's shape, whoever produced it: routing's 404 and 405, a body over
/// Kestrel's limit (413), a malformed HTTP request (400), an unexpected exception (500, logged, no internals shown).
/// Handlers that write their own error bodies are left alone.
/// </summary>
internal sealed partial class ErrorBodies(RequestDelegate next, ErrorShape shape, ILogger<ErrorBodies> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusals as the body is read: too large (413), cut short or malformed (400).
            await shape.WriteAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is larger than this server accepts."
                : $"Bad request: {e.Message}");
            return;
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            LogUnexpected(logger, context.Request.Method, context.Request.Path.Value ?? "", e);
            await shape.WriteAsync(context, StatusCodes.Status500InternalServerError, "An internal error occurred; see the server log.");
            return;
        }

        if (!context.Response.HasStarted && context.Response.StatusCode >= 400 && context.Response.ContentLength is null or 0 && context.Response.ContentType is null)
        {
            await shape.WriteAsync(context, context.Response.StatusCode, Describe(context));
        }
    }

    private static string Describe(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => $"No route matches {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this server accepts.",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type: send application/json.",
        var status => $"The request failed with HTTP status {status}.",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);
}
