using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// MLflow's check of a model version's source before it is registered (its handler's _validate_source_run): a local
/// path or <c>file:</c> URI must lie inside the local artifact folder of the run named by run_id, so a client cannot
/// register (and later download through the server) an arbitrary file of the server's machine. Other sources pass.
/// </summary>
internal static class ModelVersionSources
{
    /// <summary>The run a <c>runs:/&lt;run_id&gt;/path</c> source names, or null for any other source.</summary>
    public static string? RunOfSource(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = request.RequireString("source");
        if (!source.StartsWith("runs:/", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = source["runs:/".Length..].TrimStart('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var runId = slash < 0 ? rest : rest[..slash];
        return runId.Length > 0 ? runId : throw TrackingException.Invalid($"Invalid model version source: '{source}': a runs:/ URI names a run, runs:/<run_id>/<path>.");
    }

    /// <summary>The logged model a <c>models:/m-&lt;id&gt;</c> source names (MLflow 3's register_model), or null for any other source.</summary>
    public static string? LoggedModelOfSource(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Registry.ModelUris.TryParseLoggedModelUri(request.RequireString("source"), out var modelId) ? modelId : null;
    }

    /// <summary>The proxied path an <c>mlflow-artifacts:</c> source names (normalised as the proxy does), or null.</summary>
    public static string? ProxyPathOfSource(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MlflowArtifactsApi.ProxyPathOf(request.RequireString("source"));
    }

    public static async Task ValidateAsync(ITrackingStore store, string source, string? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (LocalPath(source) is not { } path)
        {
            return;
        }

        var shown = source;
        if (!string.IsNullOrEmpty(runId))
        {
            var run = await store.GetRunAsync(runId, cancellationToken) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
            shown = Resolve(path);
            if (LocalPath(run.Info.ArtifactUri) is { } artifacts && IsWithin(shown, Resolve(artifacts)))
            {
                return;
            }
        }

        throw TrackingException.Invalid(
            $"Invalid model version source: '{shown}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.");
    }

    // MLflow's is_local_uri: no scheme, or file: on this machine (no host, localhost or 127.0.0.1).
    private static string? LocalPath(string uri)
    {
        if (Path.IsPathRooted(uri) || !uri.Contains(':', StringComparison.Ordinal))
        {
            return uri;
        }

        if (!uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return null;
        }

        return parsed.IsLoopback || string.IsNullOrEmpty(parsed.Host) ? Uri.UnescapeDataString(parsed.AbsolutePath) : null;
    }

    // Absolute, with . and .. folded and a symbolic link at the end followed, as Python's Path.resolve() does for it.
    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        FileSystemInfo info = File.Exists(full) ? new FileInfo(full) : new DirectoryInfo(full);
        var target = info.Exists && info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true) : null;
        return Path.TrimEndingDirectorySeparator(target?.FullName ?? full);
    }

    private static bool IsWithin(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
