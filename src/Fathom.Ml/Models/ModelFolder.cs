using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Fathom.Sentiment;
using Microsoft.ML;

namespace Fathom.Models;

/// <summary>
/// The self-describing model folder, laid out like an MLflow model so MLflow users recognise it:
/// <c>MLmodel</c> (the YAML manifest with MLflow's keys), <c>input_example.json</c> and the ML.NET <c>model.zip</c>.
/// </summary>
/// <remarks>
/// MLflow's <c>MLmodel</c> keys are kept: <c>artifact_path</c>, <c>flavors</c>, <c>model_uuid</c> (32 hex digits),
/// <c>run_id</c>, <c>signature</c> (column specs as JSON strings), <c>saved_input_example_info</c> (a pandas
/// "split" frame), <c>utc_time_created</c> (Python's <c>str(datetime)</c> format) and <c>metadata</c>. Keys are
/// written sorted, as MLflow's <c>yaml.safe_dump</c> does. The flavours are <c>mlnet</c> (how to load the file
/// with ML.NET) and <c>fathom_sentiment</c> (which loader and task serve it).
/// </remarks>
internal static partial class ModelFolder
{
    public const string ManifestFileName = "MLmodel";
    public const string ModelFileName = "model.zip";
    public const string InputExampleFileName = "input_example.json";
    public const string MlnetFlavor = "mlnet";
    public const string SentimentFlavor = "fathom_sentiment";

    /// <summary>MLflow column spec of the input: one string column of raw review text.</summary>
    public const string SignatureInputs = """[{"type": "string", "name": "text", "required": true}]""";

    /// <summary>MLflow column spec of the output: the probability of "positive" and its label.</summary>
    public const string SignatureOutputs =
        """[{"type": "double", "name": "logit_prob", "required": true}, {"type": "string", "name": "sentiment", "required": true}]""";

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss.ffffff";

    // MLflow omits the fraction when it is zero (Python's str(datetime)); accept both forms.
    private static readonly string[] TimeFormats = [TimeFormat, "yyyy-MM-dd HH:mm:ss"];

    private static readonly string[] InputExamples =
    [
        "This movie was wonderful: a clever script, great acting and a score I still hum.<br /><br />Highly recommended.",
        "A dull, predictable plot and wooden acting. I want those two hours of my life back.",
    ];

    /// <summary>The ML.NET version this build scores with, as recorded in <c>flavors.mlnet.mlnet_version</c>.</summary>
    public static string MlnetVersion { get; } = ReadMlnetVersion();

    /// <summary>
    /// Writes the model folder: everything goes to a temp folder beside <paramref name="folder"/>, which is then
    /// renamed into place, so a reader never sees a half-written model. Like MLflow's <c>save_model</c>, refuses a
    /// folder that exists and is not empty.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="folder">The model folder to create; its name becomes <c>artifact_path</c>.</param>
    /// <param name="runId">The producing run, or null.</param>
    /// <param name="metrics">Recorded under <c>metadata.metrics</c>.</param>
    /// <param name="trainingOptions">Recorded under <c>metadata.training_options</c>.</param>
    /// <param name="timeProvider">Supplies <c>utc_time_created</c>.</param>
    /// <param name="cancellationToken">Cancels before the rename; the temp folder is removed.</param>
    public static async Task<ModelManifest> SaveAsync(
        SentimentModel model,
        string folder,
        string? runId,
        IReadOnlyDictionary<string, double> metrics,
        IReadOnlyDictionary<string, string> trainingOptions,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(trainingOptions);
        ArgumentNullException.ThrowIfNull(timeProvider);

        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new IOException($"Model folder '{target}' already exists and is not empty.");
        }

        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var manifest = new ModelManifest(
            Path.GetFileName(target),
            Guid.NewGuid().ToString("N"),
            runId,
            timeProvider.GetUtcNow(),
            ModelFileName,
            MlnetVersion,
            new SortedDictionary<string, double>(metrics.ToDictionary(), StringComparer.Ordinal),
            new SortedDictionary<string, string>(trainingOptions.ToDictionary(), StringComparer.Ordinal));
        try
        {
            Directory.CreateDirectory(temp);
            await using (var stream = new FileStream(Path.Combine(temp, ModelFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                // ML.NET writes synchronously; buffer the zip so the file write itself is async and cancellable.
                using var buffer = new MemoryStream();
                model.Save(buffer);
                buffer.Position = 0;
                await buffer.CopyToAsync(stream, cancellationToken);
            }

            await File.WriteAllTextAsync(Path.Combine(temp, InputExampleFileName), InputExampleJson(), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(temp, ManifestFileName), WriteManifest(manifest), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (Directory.Exists(target))
            {
                Directory.Delete(target); // empty, checked above
            }

            Directory.Move(temp, target);
            return manifest;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Reads and validates the manifest, then loads the ML.NET model it names.</summary>
    /// <exception cref="ModelFolderException">The folder, manifest or model file is missing or invalid; the message names the file and field.</exception>
    public static async Task<LoadedModel> LoadAsync(string folder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var manifest = await ReadManifestAsync(folder, cancellationToken);
        var modelPath = Path.Combine(folder, manifest.ModelFile);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(modelPath, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelFolderException(modelPath, null, $"is missing (named by flavors.{MlnetFlavor}.model_file in {ManifestFileName})", e);
        }

        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return new LoadedModel(SentimentModel.Load(stream), manifest);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or ArgumentException or IOException)
        {
            throw new ModelFolderException(modelPath, null, $"is not a loadable ML.NET sentiment model: {e.Message}", e);
        }
    }

    /// <summary>Reads and validates <c>MLmodel</c> alone, without loading the model.</summary>
    /// <exception cref="ModelFolderException">See <see cref="LoadAsync"/>.</exception>
    public static async Task<ModelManifest> ReadManifestAsync(string folder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var path = Path.Combine(folder, ManifestFileName);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelFolderException(path, null, $"is missing: '{folder}' is not a model folder", e);
        }

        return ParseManifest(text, path);
    }

    /// <summary>The examples as a pandas "split" frame, the form MLflow writes for a dataframe example.</summary>
    private static string InputExampleJson()
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps the example's <br /> readable; the file is data, never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("columns");
            json.WriteStringValue("text");
            json.WriteEndArray();
            json.WriteStartArray("data");
            foreach (var example in InputExamples)
            {
                json.WriteStartArray();
                json.WriteStringValue(example);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string ReadMlnetVersion()
    {
        var version = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(MLContext).Assembly.GetName().Version?.ToString() ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    internal static bool TryParseTime(string text, out DateTimeOffset time)
    {
        var ok = DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed);
        time = ok ? new DateTimeOffset(parsed, TimeSpan.Zero) : default;
        return ok;
    }
}
