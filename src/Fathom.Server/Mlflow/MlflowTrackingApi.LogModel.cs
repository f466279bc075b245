using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    // The fields MLflow's LogModel handler insists on, in the order its message lists them (a Python set, sorted here).
    private static readonly string[] MandatoryModelFields = ["artifact_path", "flavors", "run_id", "utc_time_created"];

    // MLflow 2.x clients record every log_model() here (mlflow.<flavor>.log_model → RestStore.record_logged_model) and
    // its UI lists a run's models from the tag this appends to; the npm client calls it too. Like MLflow's SQL store,
    // the MLmodel description joins the run's mlflow.log-model.history list, a run tag with the tags' length rule.
    private static async Task LogModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var runId = MlflowResources.RunIdOnly(request);
        var modelJson = request.RequireString("model_json");
        JsonObject model;
        try
        {
            model = JsonNode.Parse(modelJson) as JsonObject ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw TrackingException.Invalid($"Malformed model info. \n {modelJson} \n is not a valid JSON.");
        }

        var missing = MandatoryModelFields.Where(field => !model.ContainsKey(field)).ToList();
        if (missing.Count > 0)
        {
            throw TrackingException.Invalid($"Model json is missing mandatory fields: {{{string.Join(", ", missing.Select(f => $"'{f}'"))}}}");
        }

        var run = await state.Store.GetRunAsync(runId, cancellationToken) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
        var history = run.GetTag(SystemTags.LoggedModels) is { } previous && TryParseArray(previous) is { } list ? list : [];
        history.Add(model);
        // The write goes through log-batch's rules: the run must be active and the value within a run tag's length.
        await state.Store.LogBatchAsync(runId, [], [], [new Tag(SystemTags.LoggedModels, history.ToJsonString())], cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    // A history tag someone overwrote with something else starts again rather than failing every later log_model.
    private static JsonArray? TryParseArray(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonArray;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
