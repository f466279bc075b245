using System.Globalization;
using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Remote;

/// <summary>
/// Reads and writes MLflow's JSON entity shapes. Tolerant the way MLflow's clients are: int64 fields may be numbers
/// or numeric strings, doubles may be "NaN"/"Infinity" strings, empty repeated fields may be absent.
/// </summary>
internal static class MlflowJson
{
    public static Experiment Experiment(JsonObject json) => new(
        String(json, "experiment_id"),
        String(json, "name"),
        String(json, "artifact_location"),
        OptionalString(json, "lifecycle_stage") ?? LifecycleStage.Active,
        Int64(json, "creation_time"),
        Int64(json, "last_update_time"),
        Tags(json["tags"]));

    public static Run Run(JsonObject json)
    {
        var info = json["info"] as JsonObject ?? [];
        var data = json["data"] as JsonObject ?? [];
        var inputs = (json["inputs"] as JsonObject)?["dataset_inputs"] as JsonArray ?? [];
        return new Run(
            RunInfo(info),
            (data["metrics"] as JsonArray ?? []).OfType<JsonObject>().Select(Metric).ToList(),
            (data["params"] as JsonArray ?? []).OfType<JsonObject>().Select(p => new Param(String(p, "key"), OptionalString(p, "value") ?? "")).ToList(),
            Tags(data["tags"]),
            inputs.OfType<JsonObject>().Select(DatasetInput).ToList());
    }

    public static RunInfo RunInfo(JsonObject info) => new(
        OptionalString(info, "run_id") ?? String(info, "run_uuid"),
        OptionalString(info, "run_name") ?? "",
        String(info, "experiment_id"),
        OptionalString(info, "user_id") ?? "",
        RunStatusNames.Parse(OptionalString(info, "status")) ?? RunStatus.Running,
        Int64(info, "start_time"),
        info["end_time"] is null ? null : Int64(info, "end_time"),
        OptionalString(info, "artifact_uri") ?? "",
        OptionalString(info, "lifecycle_stage") ?? LifecycleStage.Active);

    public static Metric Metric(JsonObject json) => new(String(json, "key"), Double(json["value"]), Int64(json, "timestamp"), Int64(json, "step"));

    public static JsonObject ToJson(Metric metric) => new()
    {
        ["key"] = metric.Key,
        ["value"] = double.IsFinite(metric.Value) ? JsonValue.Create(metric.Value) : JsonValue.Create(SpecialDouble(metric.Value)),
        ["timestamp"] = metric.Timestamp,
        ["step"] = metric.Step,
    };

    public static JsonArray ToJson(IEnumerable<Tag> tags) => new(tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray());

    public static JsonObject ToJson(DatasetInput input)
    {
        var dataset = new JsonObject
        {
            ["name"] = input.Dataset.Name,
            ["digest"] = input.Dataset.Digest,
            ["source_type"] = input.Dataset.SourceType,
            ["source"] = input.Dataset.Source,
        };
        if (input.Dataset.Schema is not null)
        {
            dataset["schema"] = input.Dataset.Schema;
        }

        if (input.Dataset.Profile is not null)
        {
            dataset["profile"] = input.Dataset.Profile;
        }

        return new JsonObject { ["tags"] = ToJson(input.Tags), ["dataset"] = dataset };
    }

    public static string ViewType(ViewType viewType) => viewType switch
    {
        Tracking.ViewType.DeletedOnly => "DELETED_ONLY",
        Tracking.ViewType.All => "ALL",
        _ => "ACTIVE_ONLY",
    };

    private static DatasetInput DatasetInput(JsonObject json)
    {
        var d = json["dataset"] as JsonObject ?? [];
        return new DatasetInput(
            new Dataset(String(d, "name"), String(d, "digest"), OptionalString(d, "source_type") ?? "", OptionalString(d, "source") ?? "", OptionalString(d, "schema"), OptionalString(d, "profile")),
            Tags(json["tags"]));
    }

    public static List<Tag> Tags(JsonNode? node) =>
        (node as JsonArray ?? []).OfType<JsonObject>().Select(t => new Tag(String(t, "key"), OptionalString(t, "value") ?? "")).ToList();

    public static string String(JsonObject json, string name) =>
        OptionalString(json, name) ?? throw new TrackingException(ErrorCode.InternalError, $"The tracking server's answer has no '{name}'.");

    public static string? OptionalString(JsonObject json, string name) => json[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(), // a number where a string id was expected (legacy servers)
        _ => null,
    };

    public static long Int64(JsonObject json, string name) => json[name] switch
    {
        null => 0,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => (long)d,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p) => p,
        _ => 0,
    };

    private static double Double(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) => s switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => double.Parse(s, CultureInfo.InvariantCulture),
        },
        _ => double.NaN,
    };

    private static string SpecialDouble(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}
