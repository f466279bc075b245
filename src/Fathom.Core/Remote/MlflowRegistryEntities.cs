using System.Globalization;
using System.Text.Json.Nodes;
using Fathom.Registry;

namespace Fathom.Remote;

/// <summary>Reads MLflow's registered-model and model-version JSON, as tolerantly as <see cref="MlflowJson"/> reads runs.</summary>
internal static class MlflowRegistryEntities
{
    public static RegisteredModel RegisteredModel(JsonObject json) => new(
        MlflowJson.String(json, "name"),
        MlflowJson.Int64(json, "creation_timestamp"),
        MlflowJson.Int64(json, "last_updated_timestamp"),
        MlflowJson.OptionalString(json, "description"),
        MlflowJson.Tags(json["tags"]),
        (json["latest_versions"] as JsonArray ?? []).OfType<JsonObject>().Select(ModelVersion).ToList(),
        (json["aliases"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(a => new RegisteredModelAlias(MlflowJson.String(a, "alias"), Version(MlflowJson.String(a, "version")))).ToList());

    public static ModelVersion ModelVersion(JsonObject json) => new(
        MlflowJson.String(json, "name"),
        Version(MlflowJson.String(json, "version")),
        MlflowJson.Int64(json, "creation_timestamp"),
        MlflowJson.Int64(json, "last_updated_timestamp"),
        MlflowJson.OptionalString(json, "user_id"),
        MlflowJson.OptionalString(json, "current_stage") ?? ModelStages.None,
        MlflowJson.OptionalString(json, "description"),
        MlflowJson.OptionalString(json, "source") ?? string.Empty,
        MlflowJson.OptionalString(json, "run_id") is { Length: > 0 } runId ? runId : null,
        MlflowJson.OptionalString(json, "status") ?? "READY",
        MlflowJson.OptionalString(json, "status_message"),
        MlflowJson.Tags(json["tags"]),
        MlflowJson.OptionalString(json, "run_link") is { Length: > 0 } link ? link : null,
        (json["aliases"] as JsonArray ?? []).Select(a => a?.ToString() ?? string.Empty).ToList());

    /// <summary>One alias-history entry as Fathom's server writes it (versions as strings, absent when null).</summary>
    public static AliasHistoryEntry HistoryEntry(JsonObject json) => new(
        Version(MlflowJson.String(json, "id")),
        MlflowJson.String(json, "name"),
        MlflowJson.String(json, "kind"),
        MlflowJson.String(json, "target"),
        MlflowJson.String(json, "action"),
        MlflowJson.OptionalString(json, "from_version") is { } from ? Version(from) : null,
        MlflowJson.OptionalString(json, "to_version") is { } to ? Version(to) : null,
        MlflowJson.OptionalString(json, "user_id"),
        MlflowJson.Int64(json, "timestamp"));

    public static string Text(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static long Version(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;
}
