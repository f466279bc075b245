using System.Text.RegularExpressions;
using Fathom.Models;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Workflows;

/// <summary>
/// Finds a model folder from what users type: a path to a model folder, a run id, MLflow's
/// <c>runs:/&lt;run id&gt;/&lt;artifact path&gt;</c> URI, or a registry URI that the tracking store's registry resolves:
/// <c>models:/name/3</c>, <c>models:/name@champion</c>, <c>models:/name/Production</c> (the latest version in that
/// stage) and <c>models:/name/latest</c>, as MLflow reads them.
/// </summary>
internal static partial class ModelLocator
{
    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex RunIdPattern();

    [GeneratedRegex("^runs:/(?<run>[^/]+)(/(?<path>.*))?$")]
    private static partial Regex RunsUri();

    /// <summary>Loads the model named by <paramref name="reference"/>; the run id it came from is in the manifest.</summary>
    public static async Task<LoadedModel> LoadAsync(string reference, Func<TrackingClient> openTracking, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        ArgumentNullException.ThrowIfNull(openTracking);
        return await ModelFolder.LoadAsync(await LocateAsync(reference, openTracking, cancellationToken), cancellationToken);
    }

    /// <summary>The local model folder <paramref name="reference"/> names.</summary>
    public static async Task<string> LocateAsync(string reference, Func<TrackingClient> openTracking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openTracking);
        if (Directory.Exists(reference))
        {
            return Path.GetFullPath(reference);
        }

        if (reference.StartsWith("models:/", StringComparison.Ordinal))
        {
            return await LocateRegisteredAsync(reference, openTracking, cancellationToken);
        }

        string runId;
        var artifactPath = TrainingWorkflow.ModelArtifactPath;
        var uri = RunsUri().Match(reference);
        if (uri.Success)
        {
            runId = uri.Groups["run"].Value;
            artifactPath = uri.Groups["path"].Success && uri.Groups["path"].Length > 0 ? uri.Groups["path"].Value : artifactPath;
        }
        else if (RunIdPattern().IsMatch(reference))
        {
            runId = reference;
        }
        else
        {
            throw new FileNotFoundException(
                $"No model at '{reference}': give a model folder, a run id (32 hex characters), runs:/<run id>/model, or models:/<name>/<version> or models:/<name>@<alias>.", reference);
        }

        await using var tracking = openTracking();
        var run = await tracking.Store.GetRunAsync(runId, cancellationToken)
            ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"No run with id '{runId}' in the tracking store. See `fathom runs list`.");
        var artifacts = tracking.Artifacts.Resolve(run.Info.ArtifactUri);
        var scratch = Path.Combine(Path.GetTempPath(), "fathom", "downloads", runId);
        var local = await artifacts.GetLocalPathAsync(artifactPath, scratch, cancellationToken);
        if (!File.Exists(Path.Combine(local, ModelFolder.ManifestFileName)))
        {
            throw new FileNotFoundException($"Run {runId} has no model at artifact path '{artifactPath}' ({ModelFolder.ManifestFileName} not found).", local);
        }

        return local;
    }

    // The version a registry URI names, then its files wherever they are stored (a local folder, the server's proxy, S3).
    private static async Task<string> LocateRegisteredAsync(string reference, Func<TrackingClient> openTracking, CancellationToken cancellationToken)
    {
        await using var tracking = openTracking();
        var registry = ModelRegistries.Of(tracking.Store);
        var rest = reference["models:/".Length..].Trim('/');
        ModelVersion version;
        if (ModelUris.TryParseAliasUri(reference, out var aliased, out var alias))
        {
            version = await registry.GetModelVersionByAliasAsync(aliased, alias, cancellationToken);
        }
        else if (ModelUris.TryParseModelsUri(reference, out var name, out var number))
        {
            version = await registry.GetModelVersionAsync(name, number, cancellationToken)
                ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"Registered model '{name}' has no version {number}. See `fathom models list`.");
        }
        else if (rest.LastIndexOf('/') is > 0 and var slash)
        {
            // models:/name/<stage> or models:/name/latest: the newest version in that stage (any stage for latest).
            var (model, stage) = (rest[..slash], rest[(slash + 1)..]);
            var stages = string.Equals(stage, "latest", StringComparison.OrdinalIgnoreCase) ? (IReadOnlyList<string>)[] : [stage];
            var latest = await registry.GetLatestVersionsAsync(model, stages, cancellationToken);
            version = latest.MaxBy(v => v.Version)
                ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"Registered model '{model}' has no version in stage '{stage}'. See `fathom models list`.");
        }
        else
        {
            throw new FileNotFoundException($"'{reference}' names no model version: write models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/<stage>.", reference);
        }

        var location = await registry.GetModelVersionDownloadUriAsync(version.Name, version.Version, cancellationToken);
        var scratch = Path.Combine(Path.GetTempPath(), "fathom", "downloads", "models", Uri.EscapeDataString(version.Name), version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var local = await tracking.Artifacts.Resolve(location).GetLocalPathAsync(string.Empty, scratch, cancellationToken);
        if (!File.Exists(Path.Combine(local, ModelFolder.ManifestFileName)))
        {
            throw new FileNotFoundException($"Version {version.Version} of '{version.Name}' ({location}) holds no Fathom model ({ModelFolder.ManifestFileName} not found).", local);
        }

        return local;
    }
}
