using Fathom.Monitoring;

namespace Fathom.Serving;

/// <summary>Starts a served model's prediction log, with what <c>fathom monitor report</c> needs beside it.</summary>
internal static class PredictionLogs
{
    /// <summary>The baseline's copy in the log folder: the report then needs only the folder, whatever serves next.</summary>
    public const string BaselineCopyName = "baseline.json";

    public static PredictionLog Open(PredictionLogOptions options, ServedModel served, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(served);
        Directory.CreateDirectory(options.Folder);
        TrainingVocabulary? vocabulary = null;
        if (served.Folder is { } folder)
        {
            var words = Path.Combine(folder, TrainingVocabulary.FileName);
            vocabulary = File.Exists(words) ? TrainingVocabulary.Read(words) : null;
            var baseline = Path.Combine(folder, MonitoringBaseline.FileName);
            if (File.Exists(baseline))
            {
                File.Copy(baseline, Path.Combine(options.Folder, BaselineCopyName), overwrite: true);
            }
        }

        return new PredictionLog(options, vocabulary, served.ModelUuid, TimeProvider.System, logger);
    }
}
