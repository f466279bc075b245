using Fathom.Tracking;

namespace Fathom.Cli.Commands;

/// <summary>Finds experiments by id or name, the way users type them.</summary>
internal static class Lookup
{
    public static async Task<Experiment> ExperimentAsync(ITrackingStore store, string idOrName, CancellationToken cancellationToken) =>
        await store.GetExperimentByNameAsync(idOrName, cancellationToken)
        ?? await store.GetExperimentAsync(idOrName, cancellationToken)
        ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist,
            $"No experiment named or numbered '{idOrName}'. See `fathom experiments list`.");

    public static async Task<Run> RunAsync(ITrackingStore store, string runId, CancellationToken cancellationToken) =>
        await store.GetRunAsync(runId, cancellationToken)
        ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"No run with id '{runId}'. See `fathom runs list`.");
}
