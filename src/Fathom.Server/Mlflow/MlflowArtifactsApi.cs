using System.Text.Json;
using Fathom.Storage;
using Fathom.Tracking;
using Microsoft.AspNetCore.StaticFiles;

namespace Fathom.Mlflow;

/// <summary>
/// MLflow's artifact proxy (<c>/api/2.0/mlflow-artifacts/artifacts/&lt;path&gt;</c>): clients upload, download,
/// list and delete a run's files through the server, which keeps them in its artifacts destination. Bodies are
/// streamed both ways; every path goes through <see cref="ArtifactPaths"/>, so none can leave the destination.
/// </summary>
internal static partial class MlflowArtifactsApi
{
    private const string Scheme = "mlflow-artifacts:";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapMlflowArtifactsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = app.ServiceProvider.GetRequiredService<MlflowState>();
        foreach (var prefix in MlflowTrackingApi.Prefixes)
        {
            var group = app.MapGroup(prefix + "/mlflow-artifacts");
            MlflowRpc.Map(group, "GET", "/artifacts", state, ListAsync);
            group.MapGet("/artifacts/{**path}", (HttpContext context, string path) => Proxy(context, state, () => DownloadAsync(context, state, path)));
            group.MapPut("/artifacts/{**path}", (HttpContext context, string path) => Proxy(context, state, () => UploadAsync(context, state, path)));
            group.MapDelete("/artifacts/{**path}", (HttpContext context, string path) => Proxy(context, state, () => DeleteAsync(context, state, path)));
            MapMultipartUpload(group, state);
        }

        MapGetArtifact(app, state);
        MapGetModelVersionArtifact(app, state);
        return app;
    }

    /// <summary>The artifact store of a run's <c>artifact_uri</c>: the proxy destination for <c>mlflow-artifacts:</c>, else a local folder.</summary>
    public static IArtifactStore OpenRunArtifacts(MlflowState state, string artifactUri)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(artifactUri);
        if (artifactUri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            var root = state.ProxyRoot
                ?? throw TrackingException.Invalid($"The run's artifacts are at '{artifactUri}', but this server does not serve artifacts (start it with --serve-artifacts).");
            var rest = artifactUri[Scheme.Length..];
            // mlflow-artifacts://host:port/path names a server; the path after the authority is what counts.
            if (rest.StartsWith("//", StringComparison.Ordinal))
            {
                var slash = rest.IndexOf('/', 2);
                rest = slash < 0 ? string.Empty : rest[slash..];
            }

            return Resolve(state, ArtifactLocations.Join(root, SafePath(rest.TrimStart('/'))));
        }

        return Resolve(state, artifactUri);
    }

    private static IArtifactStore Resolve(MlflowState state, string uri)
    {
        try
        {
            return state.Options.Artifacts.Resolve(uri);
        }
        catch (NotSupportedException e)
        {
            throw TrackingException.Invalid(e.Message);
        }
    }

    public static async Task<IReadOnlyList<ArtifactEntry>> ListAsync(IArtifactStore store, string? path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.ListAsync(SafePath(path), cancellationToken);
    }

    public static void WriteFileInfo(Utf8JsonWriter writer, string path, ArtifactEntry entry)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entry);
        writer.WriteStartObject();
        writer.WriteString("path", path);
        writer.WriteBoolean("is_dir", entry.IsDirectory);
        if (entry.FileSize is { } size)
        {
            writer.WriteNumber("file_size", size);
        }

        writer.WriteEndObject();
    }

    // The proxy listing names children by their base names, unlike the tracking API's run-relative paths.
    private static async Task ListAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var entries = await ListAsync(Destination(state), request.String("path"), cancellationToken);
        writer.WriteStartObject();
        if (entries.Count > 0)
        {
            writer.WriteStartArray("files");
            foreach (var entry in entries)
            {
                WriteFileInfo(writer, entry.Path[(entry.Path.LastIndexOf('/') + 1)..], entry);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static Task DownloadAsync(HttpContext context, MlflowState state, string path) =>
        SendFileAsync(context, Destination(state), SafePath(path));

    /// <summary>Streams one artifact as a download (never inline: MLflow's guard against XSS on the server's origin).</summary>
    private static async Task SendFileAsync(HttpContext context, IArtifactStore store, string safe)
    {
        Stream content;
        try
        {
            content = await store.OpenReadAsync(safe, context.RequestAborted);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw TrackingException.NotFound($"File {safe} not found");
        }

        await using (content)
        {
            var name = safe[(safe.LastIndexOf('/') + 1)..];
            context.Response.ContentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
            context.Response.Headers.ContentDisposition = $"attachment; filename={name}";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            if (content.CanSeek)
            {
                context.Response.ContentLength = content.Length;
            }

            await content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private static async Task UploadAsync(HttpContext context, MlflowState state, string path)
    {
        var safe = SafePath(path);
        if (safe.Length == 0)
        {
            throw TrackingException.Invalid("Invalid path");
        }

        await Destination(state).UploadAsync(context.Request.Body, safe, context.RequestAborted);
        await WriteEmptyAsync(context);
    }

    private static async Task DeleteAsync(HttpContext context, MlflowState state, string path)
    {
        var safe = SafePath(path);
        if (safe.Length == 0)
        {
            throw TrackingException.Invalid("Invalid path");
        }

        await Destination(state).DeleteAsync(safe, context.RequestAborted);
        await WriteEmptyAsync(context);
    }

    private static async Task Proxy(HttpContext context, MlflowState state, Func<Task> action)
    {
        if (state.ProxyRoot is null)
        {
            // MLflow with --no-serve-artifacts answers the proxy routes with a plain-text 503.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("Artifact serving is disabled on this server (start it with --serve-artifacts).", context.RequestAborted);
            return;
        }

        try
        {
            await action();
        }
        catch (TrackingException e) when (!context.Response.HasStarted)
        {
            await MlflowErrors.WriteAsync(context.Response, e, context.RequestAborted);
        }
    }

    private static IArtifactStore Destination(MlflowState state) =>
        Resolve(state, state.ProxyRoot ?? throw TrackingException.Invalid("Artifact serving is disabled on this server."));

    private static string SafePath(string? path)
    {
        try
        {
            return ArtifactPaths.Normalise(path);
        }
        catch (ArgumentException)
        {
            throw TrackingException.Invalid("Invalid path");
        }
    }

    private static Task WriteEmptyAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{}", context.RequestAborted);
    }
}
