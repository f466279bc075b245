using System.Text.Json;
using Fathom.Auth;
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
            // Proxy paths are authorised on the experiment whose id leads the path, as normalised for the store:
            // listing and downloading read, uploading updates, deleting manages (MLflow basic-auth's rules).
            MlflowRpc.Map(group, "GET", "/artifacts", state, ListAsync, RoutePermission.ArtifactPath(Access.Read, ListedPath));
            MapProxy(group, "GET", "/artifacts/{**path}", state, Access.Read, MlflowRoute.PathOnly, (context, state, request) => SendFileAsync(context, Destination(state), FilePath(request)));
            MapProxy(group, "PUT", "/artifacts/{**path}", state, Access.Update, MlflowRoute.Upload, UploadAsync);
            MapProxy(group, "DELETE", "/artifacts/{**path}", state, Access.Manage, MlflowRoute.PathOnly, DeleteAsync);
            MapMultipartUpload(group, state);
        }

        MapGetArtifact(app, state);
        MapGetModelVersionArtifact(app, state);
        MapGetTraceArtifact(app, state);
        MapGetLoggedModelArtifact(app, state);
        return app;
    }

    /// <summary>The artifact store of a run's <c>artifact_uri</c>: the proxy destination for <c>mlflow-artifacts:</c>, else a local folder.</summary>
    public static IArtifactStore OpenRunArtifacts(MlflowState state, string artifactUri)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(artifactUri);
        if (ProxyPathOf(artifactUri) is { } proxied)
        {
            var root = state.ProxyRoot
                ?? throw TrackingException.Invalid($"The run's artifacts are at '{artifactUri}', but this server does not serve artifacts (start it with --serve-artifacts).");
            return Resolve(state, ArtifactLocations.Join(root, proxied));
        }

        return Resolve(state, artifactUri);
    }

    /// <summary>
    /// The path below the proxy's destination that an <c>mlflow-artifacts:</c> URI names, normalised as the proxy
    /// routes normalise theirs; null for any other URI.
    /// </summary>
    public static string? ProxyPathOf(string artifactUri)
    {
        ArgumentNullException.ThrowIfNull(artifactUri);
        if (!artifactUri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = artifactUri[Scheme.Length..];
        // mlflow-artifacts://host:port/path names a server; the path after the authority is what counts.
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }

        return SafePath(rest.TrimStart('/'));
    }

    private static IArtifactStore Resolve(MlflowState state, string uri)
    {
        try
        {
            return state.Artifacts.Resolve(uri);
        }
        catch (NotSupportedException e)
        {
            throw TrackingException.Invalid(e.Message);
        }
    }

    public static async Task<IReadOnlyList<ArtifactEntry>> ListRunArtifactsAsync(IArtifactStore store, string? path, CancellationToken cancellationToken)
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
        var entries = await Destination(state).ListAsync(ListedPath(request), cancellationToken);
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

    /// <summary>The folder a proxy listing names (<c>?path=</c>, the destination's root when absent), normalised.</summary>
    private static string ListedPath(MlflowRequest request) => SafePath(request.String("path"));

    /// <summary>The file a proxy route names in its path (<c>{**path}</c>), normalised; never the root itself.</summary>
    private static string FilePath(MlflowRequest request)
    {
        var safe = SafePath(request.Route("path"));
        return safe.Length > 0 ? safe : throw TrackingException.Invalid("Invalid path");
    }

    private static void MapProxy(RouteGroupBuilder group, string method, string pattern, MlflowState state, Access access, MlflowRoute route, Func<HttpContext, MlflowState, MlflowRequest, Task> handler) =>
        group.MapMethods(pattern, [method], (HttpContext context) => Proxy(context, state, async () => await handler(context, state, await MlflowRequests.GetAsync(context, context.RequestAborted))))
            .WithMetadata(route, RoutePermission.ArtifactPath(access, FilePath));

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

    private static async Task UploadAsync(HttpContext context, MlflowState state, MlflowRequest request)
    {
        await Destination(state).UploadAsync(context.Request.Body, FilePath(request), context.RequestAborted);
        await WriteEmptyAsync(context);
    }

    private static async Task DeleteAsync(HttpContext context, MlflowState state, MlflowRequest request)
    {
        await Destination(state).DeleteAsync(FilePath(request), context.RequestAborted);
        await WriteEmptyAsync(context);
    }

    private static async Task Proxy(HttpContext context, MlflowState state, Func<Task> action)
    {
        if (state.ProxyRoot is null)
        {
            // MLflow with --no-serve-artifacts answers the proxy routes with a plain-text 503.
            await MlflowErrors.WriteAsync(context.Response, "TEMPORARILY_UNAVAILABLE", "Artifact serving is disabled on this server (start it with --serve-artifacts).",
                StatusCodes.Status503ServiceUnavailable, context.RequestAborted);
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
        catch (UnauthorizedAccessException e) when (!context.Response.HasStarted)
        {
            await MlflowErrors.WriteAsync(context.Response, RefusedPath(e), context.RequestAborted);
        }
    }

    /// <summary>
    /// The store's refusal of a path (one that leads out of its folder through a link, PathConfinement's verdict) in
    /// MLflow's words: an invalid path, not a server fault.
    /// </summary>
    public static TrackingException RefusedPath(UnauthorizedAccessException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return TrackingException.Invalid($"Invalid path: {refusal.Message}");
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
