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

    public static Task WriteAsync(HttpResponse response, TrackingException error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return WriteAsync(response, error.WireCode, error.Message, StatusOf(error.Code), cancellationToken);
    }
}
