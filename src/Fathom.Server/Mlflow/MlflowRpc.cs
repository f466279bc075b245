using System.Buffers;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>Runs one MLflow RPC: reads its parameters, writes its JSON answer, maps every failure to MLflow's error shape.</summary>
internal static partial class MlflowRpc
{
    public delegate Task Handler(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken);

    /// <summary>Bytes a streamed answer gathers before it is sent on (see <see cref="FlushIfFullAsync"/>).</summary>
    private const int StreamChunk = 64 * 1024;

    /// <summary>
    /// Maps an RPC with what it asks of its caller (<paramref name="permissions"/>, checked when auth is on) and how its
    /// request is read (<paramref name="route"/>; by default a JSON body of at most <see cref="MlflowRoute.DefaultMaxBodyBytes"/>).
    /// </summary>
    public static IEndpointConventionBuilder Map(RouteGroupBuilder group, string method, string path, MlflowState state, Handler handler, RoutePermission[] permissions, MlflowRoute? route = null) =>
        group.MapMethods(path, [method], (HttpContext context) => InvokeAsync(context, state, handler, streamed: false))
            .WithMetadata([route ?? MlflowRoute.Rpc, .. permissions]);

    /// <summary>Maps an RPC that asks one thing of its caller.</summary>
    public static IEndpointConventionBuilder Map(RouteGroupBuilder group, string method, string path, MlflowState state, Handler handler, RoutePermission permission, MlflowRoute? route = null) =>
        Map(group, method, path, state, handler, [permission], route);

    /// <summary>
    /// Maps an RPC whose answer can be large (a metric's whole history): it is written straight to the response
    /// body in chunks instead of being buffered whole. The handler must call <see cref="FlushIfFullAsync"/> as it
    /// writes, and should fail (if it must) before its first chunk goes out; after that a failure can only cut
    /// the connection, so that the client sees an error rather than a truncated document.
    /// </summary>
    public static IEndpointConventionBuilder MapStreamed(RouteGroupBuilder group, string method, string path, MlflowState state, Handler handler, RoutePermission permission) =>
        group.MapMethods(path, [method], (HttpContext context) => InvokeAsync(context, state, handler, streamed: true))
            .WithMetadata(MlflowRoute.Rpc, permission);

    /// <summary>In a streamed RPC, sends what the writer holds once it is a chunk's worth; a no-op on a buffered one.</summary>
    public static ValueTask FlushIfFullAsync(Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.BytesPending >= StreamChunk ? new ValueTask(writer.FlushAsync(cancellationToken)) : ValueTask.CompletedTask;
    }

    public static async Task InvokeAsync(HttpContext context, MlflowState state, Handler handler, bool streamed)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        Utf8JsonWriter? streamWriter = null;
        try
        {
            var request = await MlflowRequests.GetAsync(context, cancellationToken);
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
        catch (UnauthorizedAccessException e)
        {
            // An artifact store refused a path (artifacts/list through a link leading out of its folder).
            streamWriter?.Reset();
            await MlflowErrors.WriteAsync(context.Response, MlflowArtifactsApi.RefusedPath(e), cancellationToken);
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
