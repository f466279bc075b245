using System.Buffers;
using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>Runs one MLflow RPC: reads its parameters, writes its JSON answer, maps every failure to MLflow's error shape.</summary>
internal static partial class MlflowRpc
{
    public delegate Task Handler(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken);

    public static IEndpointConventionBuilder Map(RouteGroupBuilder group, string method, string path, MlflowState state, Handler handler) =>
        group.MapMethods(path, [method], (HttpContext context) => InvokeAsync(context, state, handler));

    public static async Task InvokeAsync(HttpContext context, MlflowState state, Handler handler)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var request = await MlflowRequest.ReadAsync(context.Request, cancellationToken);
            // Buffered so that a failure half-way still yields a clean error response instead of half a document.
            var buffer = new ArrayBufferWriter<byte>(512);
            await using (var writer = new Utf8JsonWriter(buffer, MlflowJson.WriterOptions))
            {
                await handler(state, request, writer, cancellationToken);
            }

            context.Response.ContentType = "application/json";
            context.Response.ContentLength = buffer.WrittenCount;
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }
        catch (TrackingException e)
        {
            await MlflowErrors.WriteAsync(context.Response, e, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unexpected faults are logged in full and answered without internals.
            LogUnexpected(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Fathom.Mlflow"), context.Request.Path.Value ?? string.Empty, e);
            await MlflowErrors.WriteAsync(context.Response, "INTERNAL_ERROR", "An internal error occurred; see the server log.", StatusCodes.Status500InternalServerError, cancellationToken);
        }
    }

    public static void WriteEmpty(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteEndObject();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "MLflow request {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string path, Exception exception);
}
