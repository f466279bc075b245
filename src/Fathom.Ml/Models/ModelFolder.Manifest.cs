using System.Globalization;
using System.Text.Json;
using Fathom.Sentiment;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fathom.Models;

/// <summary>Writing and validating <c>MLmodel</c>.</summary>
internal static partial class ModelFolder
{
    internal static string WriteManifest(ModelManifest manifest)
    {
        var root = Mapping(
            ("artifact_path", Scalar(manifest.ArtifactPath)),
            ("flavors", Mapping(
                (SentimentFlavor, Mapping(
                    ("input_column", Scalar(nameof(ReviewTextRow.Text))),
                    ("loader", Scalar(typeof(ModelFolder).FullName!)),
                    ("model_file", Scalar(manifest.ModelFile)),
                    ("positive_threshold", Scalar("0.5")),
                    ("task", Scalar("binary-sentiment")))),
                (MlnetFlavor, Mapping(
                    ("custom_mapping_assembly", Scalar(typeof(ReviewCleaningMapping).Assembly.GetName().Name!)),
                    ("custom_mappings", new YamlSequenceNode(Scalar(ReviewCleaningMapping.ContractName))),
                    ("mlnet_version", Scalar(manifest.MlnetVersion)),
                    ("model_file", Scalar(manifest.ModelFile)))))),
            ("metadata", Mapping(
                ("metrics", Mapping([.. manifest.Metrics.Select(m => (m.Key, Scalar(m.Value.ToString("R", CultureInfo.InvariantCulture))))])),
                ("training_options", Mapping([.. manifest.TrainingOptions.Select(o => (o.Key, Quoted(o.Value)))])))),
            ("model_uuid", Scalar(manifest.ModelUuid)),
            ("run_id", manifest.RunId is null ? Scalar("null") : Quoted(manifest.RunId)),
            ("saved_input_example_info", Mapping(
                ("artifact_path", Scalar(InputExampleFileName)),
                ("pandas_orient", Scalar("split")),
                ("type", Scalar("dataframe")))),
            ("signature", Mapping(
                ("inputs", Quoted(SignatureInputs)),
                ("outputs", Quoted(SignatureOutputs)),
                ("params", Scalar("null")))),
            ("utc_time_created", Quoted(FormatTime(manifest.UtcTimeCreated))));

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        // YamlDotNet closes the document with "...": drop it, MLflow's files end after the last key.
        var text = writer.ToString().TrimEnd();
        return (text.EndsWith("...", StringComparison.Ordinal) ? text[..^3].TrimEnd() : text) + "\n";
    }

    internal static ModelManifest ParseManifest(string text, string path)
    {
        YamlMappingNode root;
        try
        {
            var stream = Data.BoundedYaml.Load(text, path);
            root = stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode mapping
                ? mapping
                : throw new ModelFolderException(path, null, "is not a YAML mapping");
        }
        catch (YamlException e)
        {
            throw new ModelFolderException(path, null, $"is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some malformed flow collections.
            throw new ModelFolderException(path, null, "is not valid YAML", e);
        }
        catch (Data.DvcFormatException e)
        {
            // Over the budget for aliases or nesting.
            throw new ModelFolderException(path, null, $"line {e.Line}: {e.Problem}", e);
        }

        var flavors = RequireMapping(root, "flavors", "flavors", path);
        var mlnet = RequireMapping(flavors, MlnetFlavor, $"flavors.{MlnetFlavor}", path);
        RequireMapping(flavors, SentimentFlavor, $"flavors.{SentimentFlavor}", path);
        var modelFile = RequireString(mlnet, "model_file", $"flavors.{MlnetFlavor}.model_file", path);
        if (Path.IsPathRooted(modelFile) || modelFile.Split('/', '\\').Contains(".."))
        {
            throw new ModelFolderException(path, $"flavors.{MlnetFlavor}.model_file", $"must be a path inside the model folder, not '{modelFile}'");
        }

        var mlnetVersion = OptionalString(mlnet, "mlnet_version", $"flavors.{MlnetFlavor}.mlnet_version", path) ?? "unknown";
        var uuid = RequireString(root, "model_uuid", "model_uuid", path);
        var created = RequireString(root, "utc_time_created", "utc_time_created", path);
        if (!TryParseTime(created, out var createdTime))
        {
            throw new ModelFolderException(path, "utc_time_created", $"is not a time like '2024-01-31 12:00:00.000000': '{created}'");
        }

        ValidateSignatureInputs(RequireMapping(root, "signature", "signature", path), path);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "metadata") is YamlMappingNode metadata)
        {
            foreach (var (key, value) in Entries(metadata, "metrics", "metadata.metrics", path))
            {
                metrics[key] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : throw new ModelFolderException(path, $"metadata.metrics.{key}", $"is not a number: '{value}'");
            }

            foreach (var (key, value) in Entries(metadata, "training_options", "metadata.training_options", path))
            {
                options[key] = value;
            }
        }

        return new ModelManifest(
            OptionalString(root, "artifact_path", "artifact_path", path) ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)))!,
            uuid,
            OptionalString(root, "run_id", "run_id", path),
            createdTime,
            modelFile,
            mlnetVersion,
            metrics,
            options);
    }

    private static void ValidateSignatureInputs(YamlMappingNode signature, string path)
    {
        const string field = "signature.inputs";
        var inputs = RequireString(signature, "inputs", field, path);
        try
        {
            using var json = JsonDocument.Parse(inputs);
            var hasText = json.RootElement.ValueKind == JsonValueKind.Array && json.RootElement.EnumerateArray().Any(c =>
                c.ValueKind == JsonValueKind.Object
                && c.TryGetProperty("name", out var name) && name.ValueEqualsText("text")
                && c.TryGetProperty("type", out var type) && type.ValueEqualsText("string"));
            if (!hasText)
            {
                throw new ModelFolderException(path, field, "must declare a string column named \"text\" (MLflow column spec)");
            }
        }
        catch (JsonException e)
        {
            throw new ModelFolderException(path, field, $"is not a JSON column spec: {e.Message}", e);
        }
    }

    private static bool ValueEqualsText(this JsonElement element, string text) =>
        element.ValueKind == JsonValueKind.String && element.ValueEquals(text);

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static YamlMappingNode RequireMapping(YamlMappingNode parent, string key, string field, string path) => Child(parent, key) switch
    {
        YamlMappingNode mapping => mapping,
        null => throw new ModelFolderException(path, field, "is missing"),
        _ => throw new ModelFolderException(path, field, "must be a mapping"),
    };

    private static string RequireString(YamlMappingNode parent, string key, string field, string path) =>
        OptionalString(parent, key, field, path) ?? throw new ModelFolderException(path, field, "is missing");

    /// <summary>A scalar's text, or null when absent or YAML null (<c>~</c>, <c>null</c> or empty, unquoted).</summary>
    private static string? OptionalString(YamlMappingNode parent, string key, string field, string path) => Child(parent, key) switch
    {
        null => null,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" } => null,
        YamlScalarNode { Value: var value } when !string.IsNullOrWhiteSpace(value) => value,
        YamlScalarNode => throw new ModelFolderException(path, field, "is empty"),
        _ => throw new ModelFolderException(path, field, "must be a single value"),
    };

    private static IEnumerable<(string Key, string Value)> Entries(YamlMappingNode parent, string key, string field, string path)
    {
        var node = Child(parent, key);
        if (node is null)
        {
            return [];
        }

        if (node is not YamlMappingNode mapping)
        {
            throw new ModelFolderException(path, field, "must be a mapping");
        }

        return mapping.Children.Select(e => e is { Key: YamlScalarNode { Value: { } k }, Value: YamlScalarNode { Value: { } v } }
            ? (k, v)
            : throw new ModelFolderException(path, $"{field}.{e.Key}", "must be a single value"));
    }

    private static YamlMappingNode Mapping(params (string Key, YamlNode Value)[] entries)
    {
        var mapping = new YamlMappingNode();
        // Sorted like MLflow's yaml.safe_dump(sort_keys=True), so diffs between models stay small.
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            mapping.Add(new YamlScalarNode(key), value);
        }

        return mapping;
    }

    private static YamlScalarNode Scalar(string value) => new(value);

    private static YamlScalarNode Quoted(string value) => new(value) { Style = ScalarStyle.SingleQuoted };
}
