using System.Diagnostics;
using System.Globalization;
using Fathom.Models;
using Fathom.Monitoring;
using Fathom.Reviews;
using Fathom.Sentiment;
using Fathom.Tracking;

namespace Fathom.Workflows;

/// <summary>
/// <c>fathom train</c>: reads the data, trains and evaluates the sentiment model inside a tracked run, and logs
/// params, metrics, lineage and the model folder (artifact path <c>model</c>). A failure marks the run FAILED.
/// </summary>
internal static class TrainingWorkflow
{
    /// <summary>The artifact path the model folder is logged under.</summary>
    public const string ModelArtifactPath = "model";

    public static async Task<TrainingOutcome> RunAsync(TrackingClient tracking, TrainingRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracking);
        ArgumentNullException.ThrowIfNull(request);
        var (path, split, testPath, testSplit) = ReviewSources.Resolve(request.DataPath, request.TestPath);
        var inputs = new Dictionary<string, string> { ["train"] = ReviewSources.HashTarget(path, split) };
        if (testPath is not null)
        {
            inputs["test"] = ReviewSources.HashTarget(testPath, testSplit);
        }

        var options = new RunOptions { RunName = request.RunName, DataInputs = inputs };
        return await tracking.RunAsync(request.Experiment, async (run, ct) =>
        {
            var stopwatch = Stopwatch.StartNew();
            progress?.Report($"Run {run.RunId} started in experiment '{request.Experiment}'.");
            run.LogParams(request.Options.ToParameters());
            run.LogParam("data", Path.GetFullPath(request.DataPath));
            if (testPath is not null)
            {
                run.LogParam("test_data", Path.GetFullPath(testPath));
            }

            await LogConfigAsync(run, request.Config, ct);

            var errors = new List<ReviewReadError>();
            progress?.Report("Reading reviews…");
            var train = ReviewSources.ReadAll(path, split, errors);
            var test = testPath is null ? null : ReviewSources.ReadAll(testPath, testSplit, errors);
            foreach (var error in errors.Take(20))
            {
                progress?.Report($"skipped {error.Path}: {error.Reason}");
            }

            if (train.Count == 0)
            {
                throw new InvalidDataException($"No readable reviews in '{request.DataPath}'.");
            }

            var result = await new SentimentTrainer(tracking.Time).TrainAsync(train, test, request.Options, progress, ct);
            using var model = result.Model;
            run.LogMetrics(result.Metrics);
            run.LogMetrics(new Dictionary<string, double>
            {
                ["n_train"] = result.TrainCount,
                ["n_validation"] = result.ValidationCount,
                ["n_test"] = result.TestCount,
                ["n_skipped_files"] = errors.Count,
                ["fit_seconds"] = result.FitDuration.TotalSeconds,
                ["train_seconds"] = result.TotalDuration.TotalSeconds,
            });

            progress?.Report("Saving the model…");
            var scratch = Path.Combine(Path.GetTempPath(), "fathom", "models", run.RunId);
            try
            {
                var modelFolder = Path.Combine(scratch, ModelArtifactPath);
                await ModelFolder.SaveAsync(model, modelFolder, run.RunId, result.Metrics, request.Options.ToParameters(), tracking.Time, ct);
                progress?.Report("Saving the monitoring baseline…");
                BaselineWriter.Write(model, modelFolder, train, test);
                await run.LogArtifactAsync(modelFolder, ModelArtifactPath, ct);
                run.LogMetric("model_size_bytes", new FileInfo(Path.Combine(modelFolder, ModelFolder.ModelFileName)).Length);
                if (request.ModelOutput is not null)
                {
                    CopyFolder(modelFolder, request.ModelOutput);
                }
            }
            finally
            {
                if (Directory.Exists(scratch))
                {
                    Directory.Delete(scratch, recursive: true);
                }
            }

            await run.FlushAsync(ct);
            return new TrainingOutcome(run.RunId, result.Metrics, $"runs:/{run.RunId}/{ModelArtifactPath}", result.TrainCount, result.ValidationCount,
                result.TestCount, errors.Count, stopwatch.Elapsed);
        }, options, cancellationToken);
    }

    /// <summary>A config-driven run keeps its flattened config as params and its <c>.hydra</c> files as artifacts, as Hydra jobs logged to MLflow do.</summary>
    public static async Task LogConfigAsync(ActiveRun run, Config.HydraRun? config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (config is null)
        {
            return;
        }

        run.LogParams(config.Params);
        if (config.HydraDirectory is not null)
        {
            await run.LogArtifactAsync(config.HydraDirectory, Config.HydraRun.ArtifactPath, cancellationToken);
        }
    }

    // Written beside the target and renamed into place, so a pipeline never sees half a model folder.
    private static void CopyFolder(string source, string destination)
    {
        var full = Path.GetFullPath(destination);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(temp, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }

        Directory.Move(temp, full);
    }

    /// <summary>Formats a metric for people.</summary>
    public static string FormatMetric(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
