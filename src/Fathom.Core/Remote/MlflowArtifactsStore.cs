using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Fathom.Storage;

namespace Fathom.Remote;

/// <summary>
/// Artifacts behind an MLflow tracking server's artifact proxy: <c>mlflow-artifacts:/&lt;p&gt;</c> maps to
/// <c>&lt;tracking uri&gt;/api/2.0/mlflow-artifacts/artifacts/&lt;p&gt;</c>, exactly as MLflow's clients map it.
/// Uploads and downloads stream; nothing is held in memory whole.
/// </summary>
internal sealed class MlflowArtifactsStore : IArtifactStore
{
    private const string Scheme = "mlflow-artifacts:";
    private readonly MlflowConnection _connection;
    private readonly string _root;

    public MlflowArtifactsStore(MlflowConnection connection, string rootUri)
    {
        ArgumentNullException.ThrowIfNull(rootUri);
        if (!rootUri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Not an mlflow-artifacts URI: '{rootUri}'.", nameof(rootUri));
        }

        _connection = connection;
        RootUri = rootUri;
        // mlflow-artifacts:/p and mlflow-artifacts://host:port/p both name path p on the proxy.
        var rest = rootUri[Scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }

        _root = rest.Trim('/');
    }

    public string RootUri { get; }

    public async Task UploadFileAsync(string localFile, string artifactPath, CancellationToken cancellationToken)
    {
        var path = Full(artifactPath);
        using var response = await _connection.SendRawAsync(() =>
        {
            var stream = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return new HttpRequestMessage(HttpMethod.Put, Url(path)) { Content = content };
        }, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    public async Task UploadAsync(Stream content, string artifactPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = Full(artifactPath);
        var start = content.CanSeek ? content.Position : 0;
        var sent = false;
        using var response = await _connection.SendRawAsync(() =>
        {
            // A retry can resend a seekable stream from where it started; a one-way stream goes once.
            if (sent && !content.CanSeek)
            {
                throw new IOException($"Uploading '{artifactPath}' failed and its stream cannot be replayed.");
            }

            if (content.CanSeek)
            {
                content.Position = start;
            }

            sent = true;
            var body = new StreamContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return new HttpRequestMessage(HttpMethod.Put, Url(path)) { Content = body };
        }, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    public async Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken cancellationToken)
    {
        var relative = ArtifactPaths.Normalise(path);
        var full = Full(relative);
        using var response = await _connection.SendRawAsync(
            () => new HttpRequestMessage(HttpMethod.Get, new Uri(_connection.BaseUri, "api/2.0/mlflow-artifacts/artifacts?path=" + Uri.EscapeDataString(full))),
            HttpCompletionOption.ResponseContentRead, cancellationToken);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject ?? [];
        // The proxy lists basenames; like MLflow's client, join them onto the requested path.
        return (json["files"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(f => new ArtifactEntry(
                ArtifactPaths.Combine(relative, f["path"]!.GetValue<string>().Split('/')[^1]),
                f["is_dir"]?.GetValue<bool>() ?? false,
                f["file_size"] is JsonValue size ? size.GetValue<long>() : null))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var response = await _connection.SendRawAsync(() => new HttpRequestMessage(HttpMethod.Get, Url(Full(path))), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    public Task<string> DownloadAsync(string path, string localDirectory, CancellationToken cancellationToken) =>
        this.DownloadByListingAsync(path, localDirectory, cancellationToken);

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _connection.SendRawAsync(() => new HttpRequestMessage(HttpMethod.Delete, Url(Full(path))), HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    public async Task<string> GetLocalPathAsync(string path, string scratchDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(scratchDirectory))
        {
            Directory.Delete(scratchDirectory, recursive: true);
        }

        return await DownloadAsync(path, scratchDirectory, cancellationToken);
    }


    private string Full(string? path)
    {
        var relative = ArtifactPaths.Normalise(path);
        return _root.Length == 0 ? relative : relative.Length == 0 ? _root : _root + "/" + relative;
    }

    private Uri Url(string fullPath) =>
        new(_connection.BaseUri, "api/2.0/mlflow-artifacts/artifacts/" + string.Join('/', fullPath.Split('/').Select(Uri.EscapeDataString)));
}
