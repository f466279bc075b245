using System.Text.RegularExpressions;
using Fathom.Tracking;

namespace Fathom.Pipelines;

/// <summary>
/// Records every stage run as a tracked run (Vertex-Edge's lineage list): run name = stage name; params; tags with the
/// command and the md5 of every dep and out; git commit, user, host and time from the SDK's lineage; the values of
/// the stage's metrics files as metrics. A failed stage's run ends FAILED with the error.
/// </summary>
internal sealed partial class StageLineage(Func<TrackingClient> open, string experiment, string pipelineFile) : IAsyncDisposable
{
    public const string StageTag = "fathom.pipeline.stage";
    public const string CommandTag = "fathom.pipeline.cmd";
    public const string FileTag = "fathom.pipeline.file";
    public const string DepPrefix = "fathom.pipeline.dep.";
    public const string OutPrefix = "fathom.pipeline.out.";

    // Opened on the first stage that runs, so a repro with nothing to do never pays for opening the store.
    private readonly Lazy<TrackingClient> _client = new(open, LazyThreadSafetyMode.ExecutionAndPublication);

    [GeneratedRegex(@"[^/\w.\- :]")]
    private static partial Regex InvalidKeyCharacters();

    public async Task<ActiveRun> StartAsync(PipelineStage stage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var tags = new Dictionary<string, string>
        {
            [StageTag] = stage.Name,
            [CommandTag] = Truncate(stage.CommandText, TrackingValidation.MaxRunTagValueLength),
            [FileTag] = pipelineFile,
        };
        return await _client.Value.StartRunAsync(experiment, new RunOptions { RunName = stage.Name, Tags = tags, WorkingDirectory = stage.Wdir }, cancellationToken);
    }

    /// <summary>Logs what the run used and made and ends it; <paramref name="error"/> marks it FAILED.</summary>
    public static async Task EndAsync(ActiveRun run, LockEntry? entry, PipelineStage stage, string? error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(stage);
        if (entry is not null)
        {
            foreach (var (file, values) in entry.Params)
            {
                foreach (var (key, value) in values)
                {
                    var name = file == ParamsFiles.Default ? key : $"{file}:{key}";
                    run.LogParam(Key(name), Truncate(ParamText(value), TrackingValidation.MaxParamValueLength));
                }
            }

            foreach (var dep in entry.Deps.Where(d => d.Md5 is not null))
            {
                run.SetTag(Key(DepPrefix + dep.Path), dep.Md5!);
            }

            foreach (var output in entry.Outs.Where(o => o.Md5 is not null))
            {
                run.SetTag(Key(OutPrefix + output.Path), output.Md5!);
            }

            foreach (var output in stage.Outs.Where(o => o.Kind == StageOutputKind.Metric && File.Exists(stage.FullPath(o.Path))))
            {
                var metricsFile = stage.FullPath(output.Path);
                run.LogMetrics(Metrics(output.Path, await File.ReadAllTextAsync(metricsFile, cancellationToken), metricsFile));
            }
        }

        if (error is null)
        {
            await run.EndAsync(RunStatus.Finished, cancellationToken);
        }
        else
        {
            await run.FailAsync(new InvalidOperationException(error), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsValueCreated)
        {
            await _client.Value.DisposeAsync();
        }
    }

    /// <summary>
    /// A metrics file's numbers as run metrics. DVC's repro never reads metrics files, so their content must not fail a
    /// stage that ran: a bare number (which <c>metrics show</c> lists under the key "") is logged under the file's path,
    /// and a file that does not parse is not logged.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, double>> Metrics(string path, string text, string fullPath)
    {
        SortedDictionary<string, double> values;
        try
        {
            values = MetricsFiles.Parse(text, fullPath);
        }
        catch (FormatException)
        {
            return [];
        }

        return values.Select(m => new KeyValuePair<string, double>(Key(m.Key.Length == 0 ? path : m.Key), m.Value));
    }

    private static string ParamText(object? value) => value is List<object?> or Dictionary<string, object?>
        ? System.Text.Json.JsonSerializer.Serialize(value)
        : PipelineValues.ToText(value);

    private static string Key(string key)
    {
        var clean = InvalidKeyCharacters().Replace(key, "_");
        return clean.Length <= TrackingValidation.MaxKeyLength ? clean : clean[..TrackingValidation.MaxKeyLength];
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
