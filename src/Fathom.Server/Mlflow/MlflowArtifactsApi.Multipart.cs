using System.Buffers;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Storage;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// MLflow's proxy multipart upload (MLflow 2.8+, <c>MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD</c>): <c>mpu/create/&lt;folder&gt;</c>
/// with the client's file name in <c>path</c> starts an upload of <c>&lt;folder&gt;/&lt;file name&gt;</c> and answers one
/// URL per part; the client PUTs each part to its URL and sends the parts' ETags to <c>mpu/complete</c>, or calls
/// <c>mpu/abort</c>. MLflow's S3 repository answers presigned S3 URLs; these URLs are the server's own
/// (<c>mpu/part/&lt;file&gt;</c>, signed by <see cref="MultipartUploadUrls"/>), for a folder destination and for S3 alike,
/// so a client needs no route to the bucket, only to the server (why a proxy is run), and the bytes are streamed
/// through as an upload's are.
/// </summary>
internal static partial class MlflowArtifactsApi
{
    /// <summary>MLflow's answer where the artifact repository cannot do multipart uploads (HTTP 501); its clients then PUT the file whole.</summary>
    public const string MultipartUnsupported = "Multipart upload is not supported for the current artifact repository";

    private static void MapMultipartUpload(RouteGroupBuilder group, MlflowState state)
    {
        // Starting, completing and aborting write the file as an upload does: UPDATE on its experiment.
        MapUploadCall(group, "create", state, CreateUploadAsync);
        MapUploadCall(group, "complete", state, CompleteUploadAsync);
        MapUploadCall(group, "abort", state, AbortUploadAsync);
        group.MapMethods("/mpu/part/{**path}", ["PUT"], (HttpContext context) => Proxy(context, state, async () =>
                await UploadPartAsync(context, state, await MlflowRequests.GetAsync(context, context.RequestAborted))))
            .WithMetadata(MlflowRoute.Upload, RoutePermission.SignedUrl(request => state.UploadUrls.Allows(FilePath(request), request)));
    }

    private static void MapUploadCall(RouteGroupBuilder group, string action, MlflowState state, Func<HttpContext, MlflowState, IMultipartArtifactStore, MlflowRequest, Task> handler) =>
        group.MapMethods($"/mpu/{action}/{{**path}}", ["POST"], (HttpContext context) => Proxy(context, state, async () =>
            {
                var request = await MlflowRequests.GetAsync(context, context.RequestAborted);
                UploadedFile(request);
                if (Destination(state) is not IMultipartArtifactStore store)
                {
                    await MlflowErrors.WriteAsync(context.Response, "NOT_IMPLEMENTED", MultipartUnsupported, StatusCodes.Status501NotImplemented, context.RequestAborted);
                    return;
                }

                await InStoreTerms(() => handler(context, state, store, request));
            }))
            .WithMetadata(MlflowRoute.Rpc, RoutePermission.ArtifactPath(Access.Update, UploadedFile));

    /// <summary>
    /// The file an upload call writes: the folder its route names and the base name of the client's local file
    /// (<c>path</c> in the body), as MLflow's repositories join them. A Windows client's path is cut at '\' too.
    /// </summary>
    private static string UploadedFile(MlflowRequest request)
    {
        var folder = SafePath(request.Route("path"));
        var local = request.RequireString("path");
        var name = local[(local.LastIndexOfAny(['/', '\\']) + 1)..];
        if (name is "" or "." or "..")
        {
            throw TrackingException.Invalid("Invalid path");
        }

        return SafePath(folder.Length == 0 ? name : folder + "/" + name);
    }

    private static async Task CreateUploadAsync(HttpContext context, MlflowState state, IMultipartArtifactStore store, MlflowRequest request)
    {
        var file = UploadedFile(request);
        var parts = request.Int64("num_parts") ?? 0;
        if (parts is < 0 or > IMultipartArtifactStore.MaxParts)
        {
            throw TrackingException.Invalid($"Invalid value {parts} for parameter 'num_parts' supplied: an upload has at most {IMultipartArtifactStore.MaxParts} parts.");
        }

        var uploadId = await store.CreateMultipartUploadAsync(file, context.RequestAborted);
        var http = context.Request;
        var prefix = http.Path.StartsWithSegments(MlflowTrackingApi.AjaxPrefix, StringComparison.Ordinal) ? MlflowTrackingApi.AjaxPrefix : "/api/2.0";
        // Each segment escaped once: routing decodes the part's path once, back to the name as written.
        var partUrl = $"{http.Scheme}://{http.Host}{http.PathBase}{prefix}/mlflow-artifacts/mpu/part/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}?";
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("upload_id", uploadId);
            if (parts > 0)
            {
                writer.WriteStartArray("credentials");
                for (var part = 1; part <= parts; part++)
                {
                    // No headers: protobuf's JSON leaves an empty map out, as MLflow's S3 answer does.
                    writer.WriteStartObject();
                    writer.WriteString("url", partUrl + state.UploadUrls.Query(file, uploadId, part));
                    writer.WriteNumber("part_number", part);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        });
    }

    private static async Task CompleteUploadAsync(HttpContext context, MlflowState state, IMultipartArtifactStore store, MlflowRequest request)
    {
        var file = UploadedFile(request);
        var uploadId = request.RequireString("upload_id");
        var parts = request.Messages("parts").Select(p => new UploadedPart(MultipartUploadUrls.PartNumber(p), p.String("etag") ?? string.Empty)).ToList();
        if (parts.Count == 0)
        {
            throw MlflowRequest.Missing("parts");
        }

        await store.CompleteMultipartUploadAsync(file, uploadId, parts, context.RequestAborted);
        await WriteEmptyAsync(context);
    }

    private static async Task AbortUploadAsync(HttpContext context, MlflowState state, IMultipartArtifactStore store, MlflowRequest request)
    {
        await store.AbortMultipartUploadAsync(UploadedFile(request), request.RequireString("upload_id"), context.RequestAborted);
        await WriteEmptyAsync(context);
    }

    // The part route's permission is its signature; checked here too, so a server without auth takes no unsigned part.
    private static async Task UploadPartAsync(HttpContext context, MlflowState state, MlflowRequest request)
    {
        var file = FilePath(request);
        if (!state.UploadUrls.Allows(file, request))
        {
            await MlflowErrors.WriteAsync(context.Response, "PERMISSION_DENIED", "The part URL is not one this server signed, or it has expired.", StatusCodes.Status403Forbidden, context.RequestAborted);
            return;
        }

        if (Destination(state) is not IMultipartArtifactStore store)
        {
            await MlflowErrors.WriteAsync(context.Response, "NOT_IMPLEMENTED", MultipartUnsupported, StatusCodes.Status501NotImplemented, context.RequestAborted);
            return;
        }

        var etag = await InStoreTerms(() => store.UploadPartAsync(file, request.RequireString("upload_id"), MultipartUploadUrls.PartNumber(request), context.Request.Body, context.RequestAborted));
        // MLflow's client reads the part's ETag from the answer's header, as S3 gives it.
        context.Response.Headers.ETag = etag;
        await WriteEmptyAsync(context);
    }

    /// <summary>The multipart port's refusals in MLflow's words: an unknown upload is 404, bad parts 400.</summary>
    private static async Task<T> InStoreTerms<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (FileNotFoundException e)
        {
            throw TrackingException.NotFound(e.Message);
        }
        catch (ArgumentException e)
        {
            throw TrackingException.Invalid(e.Message);
        }
    }

    private static async Task InStoreTerms(Func<Task> call) => await InStoreTerms(async () =>
    {
        await call();
        return true;
    });

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var writer = new Utf8JsonWriter(buffer, MlflowJson.WriterOptions))
        {
            write(writer);
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
