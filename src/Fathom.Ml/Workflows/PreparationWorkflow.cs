using Fathom.Reviews;
using Fathom.Tracking;

namespace Fathom.Workflows;

/// <summary><c>fathom prep</c> as a tracked run: cleans raw review folders into one processed folder and records the hashes of both.</summary>
internal static class PreparationWorkflow
{
    public static async Task<(string RunId, ReviewPreparationResult Result)> RunAsync(
        TrackingClient tracking, IReadOnlyList<string> inputs, string output, string experiment,
        IProgress<ReviewPreparationProgress>? progress, CancellationToken cancellationToken, Config.HydraRun? config = null)
    {
        ArgumentNullException.ThrowIfNull(tracking);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs.Where(i => !Directory.Exists(i)))
        {
            throw new DirectoryNotFoundException($"Raw review folder '{input}' does not exist.");
        }

        // Refused before the tracked run starts: a wrong folder is a usage error, not a failed run.
        if (ReviewPreparation.OverlapRefusal(inputs, output) is { } overlap)
        {
            throw new ArgumentException(overlap);
        }

        var data = inputs.Select((path, i) => (Name: inputs.Count == 1 ? "raw" : $"raw_{i}", Path: path)).ToDictionary(p => p.Name, p => p.Path);
        return await tracking.RunAsync(experiment, async (run, ct) =>
        {
            run.LogParam("inputs", string.Join(';', inputs.Select(Path.GetFullPath)));
            run.LogParam("output", Path.GetFullPath(output));
            await TrainingWorkflow.LogConfigAsync(run, config, ct);
            var result = await ReviewPreparation.PrepareAsync(inputs, output, progress, ct);
            run.LogMetrics(new Dictionary<string, double> { ["n_read"] = result.Read, ["n_written"] = result.Written, ["n_skipped"] = result.Skipped.Count });
            var hash = await Data.DvcHash.HashPathAsync(output, ct);
            run.SetTag("fathom.output.processed", hash.Md5);
            return (run.RunId, result);
        }, new RunOptions { RunName = "prep", DataInputs = data }, cancellationToken);
    }
}
