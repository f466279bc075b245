using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// The one error mapper of the MLflow routes: <c>{"error_code": "…", "message": "…"}</c> with the HTTP status
/// MLflow gives each code (mlflow/exceptions.py), e.g. RESOURCE_ALREADY_EXISTS is 400, not 409.
/// </summary>
internal static class MlflowErrors
{
    public static int StatusOf(ErrorCode code) => code switch
    {
        ErrorCode.InvalidParameterValue or ErrorCode.ResourceAlreadyExists => StatusCodes.Status400BadRequest,
        ErrorCode.ResourceDoesNotExist => StatusCodes.Status404NotFound,
        ErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static async Task WriteAsync(HttpResponse response, string errorCode, string message, int status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = status;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body, MlflowJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("error_code", errorCode);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>The MLflow error body for an answer the server's plumbing gives (routing, limits, faults): a code for each status.</summary>
    public static Task WriteStatusAsync(HttpContext context, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var code = status switch
        {
            StatusCodes.Status401Unauthorized => "UNAUTHENTICATED",
            StatusCodes.Status403Forbidden => "PERMISSION_DENIED",
            StatusCodes.Status404NotFound => "ENDPOINT_NOT_FOUND",
            StatusCodes.Status413PayloadTooLarge => "INVALID_PARAMETER_VALUE",
            StatusCodes.Status429TooManyRequests => "REQUEST_LIMIT_EXCEEDED",
            StatusCodes.Status501NotImplemented => "NOT_IMPLEMENTED",
            StatusCodes.Status503ServiceUnavailable => "TEMPORARILY_UNAVAILABLE",
            >= 500 => "INTERNAL_ERROR",
            _ => "BAD_REQUEST",
        };
        return WriteAsync(context.Response, code, message, status, context.RequestAborted);
    }

    public static Task WriteAsync(HttpResponse response, TrackingException error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return WriteAsync(response, error.WireCode, error.Message, StatusOf(error.Code), cancellationToken);
    }
}
