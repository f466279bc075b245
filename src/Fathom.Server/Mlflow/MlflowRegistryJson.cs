using System.Globalization;
using System.Text.Json;
using Fathom.Registry;

namespace Fathom.Mlflow;

/// <summary>
/// Writes the registry's entities as MLflow's server serialises its protobufs: versions as strings, unset fields
/// and empty lists omitted, stages and statuses by name.
/// </summary>
internal static class MlflowRegistryJson
{
    public static void WriteRegisteredModel(Utf8JsonWriter writer, RegisteredModel model)
    {
        writer.WriteStartObject();
        writer.WriteString("name", model.Name);
        writer.WriteNumber("creation_timestamp", model.CreationTimestamp);
        writer.WriteNumber("last_updated_timestamp", model.LastUpdatedTimestamp);
        WriteOptional(writer, "description", model.Description);
        if (model.LatestVersions.Count > 0)
        {
            writer.WriteStartArray("latest_versions");
            foreach (var version in model.LatestVersions)
            {
                WriteModelVersion(writer, version);
            }

            writer.WriteEndArray();
        }

        MlflowJson.WriteTags(writer, "tags", model.Tags);
        if (model.Aliases.Count > 0)
        {
            writer.WriteStartArray("aliases");
            foreach (var alias in model.Aliases)
            {
                writer.WriteStartObject();
                writer.WriteString("alias", alias.Alias);
                writer.WriteString("version", Text(alias.Version));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static void WriteModelVersion(Utf8JsonWriter writer, ModelVersion version)
    {
        writer.WriteStartObject();
        writer.WriteString("name", version.Name);
        writer.WriteString("version", Text(version.Version));
        writer.WriteNumber("creation_timestamp", version.CreationTimestamp);
        writer.WriteNumber("last_updated_timestamp", version.LastUpdatedTimestamp);
        WriteOptional(writer, "user_id", version.UserId);
        writer.WriteString("current_stage", version.CurrentStage);
        WriteOptional(writer, "description", version.Description);
        writer.WriteString("source", version.Source);
        WriteOptional(writer, "run_id", version.RunId);
        writer.WriteString("status", version.Status);
        WriteOptional(writer, "status_message", version.StatusMessage);
        MlflowJson.WriteTags(writer, "tags", version.Tags);
        WriteOptional(writer, "run_link", version.RunLink);
        if (version.Aliases.Count > 0)
        {
            writer.WriteStartArray("aliases");
            foreach (var alias in version.Aliases)
            {
                writer.WriteStringValue(alias);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
