using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// Writes MLflow's entities the way its server serialises protobufs: snake_case names, int64 as JSON numbers,
/// unset fields and empty repeated fields omitted, enums by name, NaN and infinities as strings.
/// Written by hand with <see cref="Utf8JsonWriter"/>: no reflection, and exact control of what is omitted.
/// </summary>
internal static class MlflowJson
{
    /// <summary>
    /// Quotes and non-ASCII text stay readable, as in MLflow's answers; the bodies are application/json, never
    /// embedded in HTML, so the default encoder's HTML-safe escaping buys nothing.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void WriteExperiment(Utf8JsonWriter writer, Experiment experiment)
    {
        writer.WriteStartObject();
        writer.WriteString("experiment_id", experiment.ExperimentId);
        writer.WriteString("name", experiment.Name);
        writer.WriteString("artifact_location", experiment.ArtifactLocation);
        writer.WriteString("lifecycle_stage", experiment.LifecycleStage);
        writer.WriteNumber("last_update_time", experiment.LastUpdateTime);
        writer.WriteNumber("creation_time", experiment.CreationTime);
        WriteTags(writer, "tags", experiment.Tags);
        writer.WriteEndObject();
    }

    public static void WriteRun(Utf8JsonWriter writer, Run run)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("info");
        WriteRunInfo(writer, run.Info);
        writer.WriteStartObject("data");
        if (run.Metrics.Count > 0)
        {
            writer.WriteStartArray("metrics");
            foreach (var metric in run.Metrics)
            {
                WriteMetric(writer, metric);
            }

            writer.WriteEndArray();
        }

        if (run.Params.Count > 0)
        {
            writer.WriteStartArray("params");
            foreach (var param in run.Params)
            {
                writer.WriteStartObject();
                writer.WriteString("key", param.Key);
                writer.WriteString("value", param.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        WriteTags(writer, "tags", run.Tags);
        writer.WriteEndObject();
        writer.WriteStartObject("inputs");
        if (run.Inputs.Count > 0)
        {
            writer.WriteStartArray("dataset_inputs");
            foreach (var input in run.Inputs)
            {
                WriteDatasetInput(writer, input);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteRunInfo(Utf8JsonWriter writer, RunInfo info)
    {
        writer.WriteStartObject();
        // MLflow fills the deprecated run_uuid with the same id for old clients.
        writer.WriteString("run_id", info.RunId);
        writer.WriteString("run_uuid", info.RunId);
        writer.WriteString("run_name", info.RunName);
        writer.WriteString("experiment_id", info.ExperimentId);
        writer.WriteString("user_id", info.UserId);
        writer.WriteString("status", info.Status.ToWire());
        writer.WriteNumber("start_time", info.StartTime);
        if (info.EndTime is { } end)
        {
            writer.WriteNumber("end_time", end);
        }

        writer.WriteString("artifact_uri", info.ArtifactUri);
        writer.WriteString("lifecycle_stage", info.LifecycleStage);
        writer.WriteEndObject();
    }

    // Pre-encoded names: a long history writes each of them 100,000 times.
    private static readonly JsonEncodedText KeyName = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText StepName = JsonEncodedText.Encode("step");

    public static void WriteMetric(Utf8JsonWriter writer, Metric metric) => WriteMetric(writer, JsonEncodedText.Encode(metric.Key, WriterOptions.Encoder), metric);

    /// <summary>A metric whose key is already encoded: a history writes the same key for every point.</summary>
    public static void WriteMetric(Utf8JsonWriter writer, JsonEncodedText key, Metric metric)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(metric);
        writer.WriteStartObject();
        writer.WriteString(KeyName, key);
        WriteDouble(writer, ValueName, metric.Value);
        writer.WriteNumber(TimestampName, metric.Timestamp);
        writer.WriteNumber(StepName, metric.Step);
        writer.WriteEndObject();
    }

    public static void WriteTags(Utf8JsonWriter writer, string name, IReadOnlyList<Tag> tags)
    {
        if (tags.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var tag in tags)
        {
            writer.WriteStartObject();
            writer.WriteString("key", tag.Key);
            writer.WriteString("value", tag.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    // Protobuf JSON writes the non-finite doubles as strings.
    public static void WriteDouble(Utf8JsonWriter writer, string name, double value) => WriteDouble(writer, JsonEncodedText.Encode(name), value);

    public static void WriteDouble(Utf8JsonWriter writer, JsonEncodedText name, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteString(name, "NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteString(name, "Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteString(name, "-Infinity");
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteDatasetInput(Utf8JsonWriter writer, DatasetInput input)
    {
        writer.WriteStartObject();
        WriteTags(writer, "tags", input.Tags);
        writer.WriteStartObject("dataset");
        var d = input.Dataset;
        writer.WriteString("name", d.Name);
        writer.WriteString("digest", d.Digest);
        writer.WriteString("source_type", d.SourceType);
        writer.WriteString("source", d.Source);
        if (d.Schema is not null)
        {
            writer.WriteString("schema", d.Schema);
        }

        if (d.Profile is not null)
        {
            writer.WriteString("profile", d.Profile);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
