using System.Text.RegularExpressions;
using Fathom.Models;
using Fathom.Tracking;

namespace Fathom.Workflows;

/// <summary>
/// Finds a model folder from what users type: a path to a model folder, a run id, or MLflow's
/// <c>runs:/&lt;run id&gt;/&lt;artifact path&gt;</c> URI.
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
                $"No model at '{reference}': give a model folder, a run id (32 hex characters) or runs:/<run id>/model.", reference);
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
}
