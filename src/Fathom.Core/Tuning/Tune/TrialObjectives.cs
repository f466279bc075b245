using Fathom.Pipelines;

namespace Fathom.Tuning;

/// <summary>A trial's objective values and where they came from, or why there are none.</summary>
internal sealed record ObjectiveValues(IReadOnlyList<double>? Values, string Source, string? Problem);

/// <summary>
/// Where a finished trial's objective values come from, first match wins: the metrics its tracked run logged (the
/// names in <c>hydra.sweeper.objectives</c>), a metrics file it wrote (<c>$FATHOM_METRICS_FILE</c>: JSON or YAML, nested
/// keys as <c>a.b</c>, as <c>dvc metrics</c> reads them), or the <c>name=value</c> lines it printed (Katib's stdout
/// collector). A source counts only when it has every objective. Without objective names, the trial's last stdout line
/// is its return value (one number per direction), as a Hydra task function returns it to the Optuna sweeper.
/// </summary>
internal static class TrialObjectives
{
    public const string FromRun = "tracked run";
    public const string FromFile = "metrics file";
    public const string FromStdout = "stdout";
    public const string FromReturnValue = "return value";

    public static ObjectiveValues Resolve(
        IReadOnlyList<string> objectives,
        int directions,
        IReadOnlyDictionary<string, double>? runMetrics,
        IReadOnlyDictionary<string, double>? fileMetrics,
        TrialOutput output)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(output);
        if (objectives.Count == 0)
        {
            var returned = TrialOutput.ReturnValue(output.LastLine);
            return returned is not null && returned.Count == directions
                ? new ObjectiveValues(returned, FromReturnValue, null)
                : new ObjectiveValues(null, FromReturnValue,
                    $"no objective values: without hydra.sweeper.objectives the last line of stdout must hold {directions} number(s) (the return value), and it is '{Shorten(output.LastLine ?? "")}'");
        }

        foreach (var (source, metrics) in new[] { (FromRun, runMetrics), (FromFile, fileMetrics), (FromStdout, output.Latest) })
        {
            if (metrics is not null && objectives.All(metrics.ContainsKey))
            {
                return new ObjectiveValues([.. objectives.Select(o => metrics[o])], source, null);
            }
        }

        string Had(IReadOnlyDictionary<string, double>? metrics) => metrics is null ? "nothing" : metrics.Count == 0 ? "no metrics" : string.Join(", ", metrics.Keys.Order(StringComparer.Ordinal).Take(12));
        return new ObjectiveValues(null, "", $"no value for {string.Join(", ", objectives)}: the tracked run had {Had(runMetrics)}; the metrics file had {Had(fileMetrics)}; stdout had {Had(output.Latest)}");
    }

    /// <summary>The numbers of a metrics file (JSON or YAML, told apart by content), flattened to <c>a.b</c> keys; null when there is none.</summary>
    public static IReadOnlyDictionary<string, double>? ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path);
        var json = text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[');
        try
        {
            return MetricsFiles.Parse(text, json ? "metrics.json" : "metrics.yaml");
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException or YamlDotNet.Core.YamlException)
        {
            throw new InvalidDataException($"The trial's metrics file {path} is not JSON or YAML: {e.Message}", e);
        }
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";
}
