using System.Text.Json;

namespace Fathom.Monitoring;

/// <summary>Reads a prediction log folder back as a traffic sample, oldest file first.</summary>
internal static class PredictionLogReader
{
    public static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(folder, PredictionLog.FilePrefix + "*.jsonl").Order(StringComparer.Ordinal);

    /// <summary>
    /// The predictions logged at or after <paramref name="since"/>; a line cut short by a crash or a concurrent write
    /// is skipped and counted, not fatal.
    /// </summary>
    public static async Task<(TrafficSample Sample, int BadLines)> ReadAsync(string folder, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No prediction log at '{folder}' (start the endpoint with --prediction-log).");
        }

        var sample = new TrafficSample();
        var bad = 0;
        var from = since?.ToUnixTimeMilliseconds() ?? long.MinValue;
        foreach (var file in Files(folder))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                PredictionRecord? record;
                try
                {
                    record = JsonSerializer.Deserialize(line, MonitoringJsonContext.Default.PredictionRecord);
                }
                catch (JsonException)
                {
                    record = null;
                }

                if (record is null)
                {
                    bad++;
                    continue;
                }

                if (record.TimeMs >= from)
                {
                    sample.Add(record.Score, new ReviewTraits(record.Words, record.OutOfVocabularyRate ?? double.NaN));
                }
            }
        }

        return (sample, bad);
    }
}
