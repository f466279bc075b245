using System.Buffers;
using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>Runs one MLflow RPC: reads its parameters, writes its JSON answer, maps every failure to MLflow's error shape.</summary>
internal static partial class MlflowRpc
{
    public delegate Task Handler(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken);

    /// <summary>Bytes a streamed answer gathers before it is sent on (see <see cref="FlushIfFullAsync"/>).</summary>
    private const int StreamChunk = 64 * 1024;

    /// <summary>
    /// Maps an RPC. With <paramref name="maxBodyBytes"/>, the body is counted as it is read (chunked bodies carry no
    /// Content-Length to trust) and not parsed once it is longer; the handler sees the count in
    /// <see cref="MlflowRequest.BodyLength"/> and refuses with its own message.
    /// </summary>
    public static IEndpointConventionBuilder Map(RouteGroupBuilder group, string method, string path, MlflowState state, Handler handler, long? maxBodyBytes = null) =>
        group.MapMethods(path, [method], (HttpContext context) => InvokeAsync(context, state, handler, streamed: false, maxBodyBytes));

    /// <summary>
    /// The longest body an RPC without a limit of its own reads: above MLflow's largest field (a dataset profile,
    /// 16 MiB), below Kestrel's 30 MB request limit. MLflow's Flask server sets no cap of its own; this one keeps a
    /// body that no RPC could accept from being parsed, with auth on (before the permission check) and off alike.
    /// </summary>
    public const long MaxBodyBytes = 20_000_000;

    /// <summary>The refusal of a body longer than <see cref="MaxBodyBytes"/>, MLflow's INVALID_PARAMETER_VALUE.</summary>
    public static TrackingException BodyTooLarge(long size) =>
        TrackingException.Invalid($"Request bodies must be at most {MaxBodyBytes} bytes, got a request of size {size}.");

    /// <summary>
    /// Maps an RPC whose answer can be large (a metric's whole history): it is written straight to the response
    /// body in chunks instead of being buffered whole. The handler must call <see cref="FlushIfFullAsync"/> as it
    /// writes, and should fail (if it must) before its first chunk goes out; after that a failure can only cut
    /// the connection, so that the client sees an error rather than a truncated document.
    /// </summary>
    public static IEndpointConventionBuilder MapStreamed(RouteGroupBuilder group, string method, string path, MlflowState state, Handler handler) =>
        group.MapMethods(path, [method], (HttpContext context) => InvokeAsync(context, state, handler, streamed: true));

    /// <summary>In a streamed RPC, sends what the writer holds once it is a chunk's worth; a no-op on a buffered one.</summary>
    public static ValueTask FlushIfFullAsync(Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.BytesPending >= StreamChunk ? new ValueTask(writer.FlushAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    public static async Task InvokeAsync(HttpContext context, MlflowState state, Handler handler, bool streamed, long? maxBodyBytes = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        Utf8JsonWriter? streamWriter = null;
        try
        {
            using var request = await MlflowRequest.ReadAsync(context.Request, cancellationToken, maxBodyBytes ?? MaxBodyBytes);
            // An RPC with a limit of its own (log-batch) words the refusal itself; every other one is refused here.
            if (maxBodyBytes is null && request.BodyLength > MaxBodyBytes)
            {
                throw BodyTooLarge(request.BodyLength.Value);
            }

            if (streamed)
            {
                // A writer over a stream keeps what it writes until FlushAsync: nothing reaches the client (and
                // the status stays unsent) until the handler's first full chunk.
                context.Response.ContentType = "application/json";
                streamWriter = new Utf8JsonWriter(context.Response.Body, MlflowJson.WriterOptions);
                await handler(state, request, streamWriter, cancellationToken);
                await streamWriter.FlushAsync(cancellationToken);
                return;
            }

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
        catch (Exception e) when (context.Response.HasStarted && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            streamWriter?.Reset();
            LogUnexpected(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Fathom.Mlflow"), context.Request.Path.Value ?? string.Empty, e);
            context.Abort();
        }
        catch (TrackingException e)
        {
            streamWriter?.Reset();
            await MlflowErrors.WriteAsync(context.Response, e, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            streamWriter?.Reset();
            // Unexpected faults are logged in full and answered without internals.
            LogUnexpected(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Fathom.Mlflow"), context.Request.Path.Value ?? string.Empty, e);
            await MlflowErrors.WriteAsync(context.Response, "INTERNAL_ERROR", "An internal error occurred; see the server log.", StatusCodes.Status500InternalServerError, cancellationToken);
        }
        finally
        {
            if (streamWriter is not null)
            {
                await streamWriter.DisposeAsync();
            }
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
