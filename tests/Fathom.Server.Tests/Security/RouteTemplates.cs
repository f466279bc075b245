using System.Text.Json.Nodes;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// For every protected route, a request that would succeed if the caller had the right, naming the victim's
/// resources. Keyed by method and the route's path below its prefix; a protected route the server maps with no
/// entry here fails the variant test, so a new route cannot be left out of it.
/// </summary>
internal static class RouteTemplates
{
    public const string Decoy = "decoy-0000";

    /// <summary>The route's parameters (for catch-all routes, <c>{**path}</c> is filled from the "path" parameter).</summary>
    public static JsonObject? For(string method, string suffix, Victim v, string attacker, Random random)
    {
        var (e, r, m, t, lm) = (v.ExperimentId, v.RunId, v.Model, v.TraceId, v.LoggedModelId);
        JsonObject Run(JsonObject extra) => Merge(new JsonObject { ["run_id"] = r }, extra);
        JsonObject Experiment(JsonObject extra) => Merge(new JsonObject { ["experiment_id"] = e }, extra);
        JsonObject Model(JsonObject extra) => Merge(new JsonObject { ["name"] = m }, extra);
        var file = $"{e}/{r}/artifacts/secret.txt";
        return (method, suffix) switch
        {
            ("POST", "/runs/create") => Experiment(new() { ["start_time"] = 1, ["run_name"] = "stolen" }),
            ("POST", "/runs/update") => Run(new() { ["status"] = "FAILED", ["run_name"] = "stolen" }),
            ("POST", "/runs/delete") or ("POST", "/runs/restore") => Run([]),
            ("GET", "/runs/get") => Run([]),
            ("POST", "/runs/log-metric") => Run(new() { ["key"] = "m", ["value"] = 1, ["timestamp"] = 1 }),
            ("POST", "/runs/log-parameter") => Run(new() { ["key"] = "p", ["value"] = "stolen" }),
            ("POST", "/runs/set-tag") => Run(new() { ["key"] = "victim-tag", ["value"] = "stolen" }),
            ("POST", "/runs/delete-tag") => Run(new() { ["key"] = "victim-tag" }),
            ("POST", "/runs/log-batch") => Run(new() { ["metrics"] = new JsonArray(new JsonObject { ["key"] = "m", ["value"] = 1, ["timestamp"] = 1 }) }),
            ("POST", "/runs/log-inputs") => Run(new()
            {
                ["datasets"] = new JsonArray(new JsonObject { ["dataset"] = new JsonObject { ["name"] = "d", ["digest"] = "x", ["source_type"] = "local", ["source"] = "s" } }),
            }),
            ("POST", "/runs/log-model") => Run(new() { ["model_json"] = $$"""{"artifact_path": "m", "flavors": {}, "run_id": "{{r}}", "utc_time_created": "2026-01-01"}""" }),
            ("GET", "/artifacts/list") => Run(new() { ["path"] = "" }),
            ("GET", "/metrics/get-history") => Run(new() { ["metric_key"] = "victim-metric" }),
            ("GET", "/metrics/get-history-bulk-interval") => new() { ["run_ids"] = new JsonArray(r), ["metric_key"] = "victim-metric" },
            ("GET", "/metrics/get-history-bulk") => new() { ["run_id"] = new JsonArray(r), ["metric_key"] = "victim-metric" },
            ("GET", "/experiments/get") => Experiment([]),
            ("GET", "/experiments/get-by-name") => new() { ["experiment_name"] = v.ExperimentName },
            ("POST", "/experiments/delete") or ("POST", "/experiments/restore") => Experiment([]),
            ("POST", "/experiments/update") => Experiment(new() { ["new_name"] = "stolen" }),
            ("POST", "/experiments/set-experiment-tag") => Experiment(new() { ["key"] = "victim-exp-tag", ["value"] = "stolen" }),
            ("POST", "/experiments/delete-experiment-tag") => Experiment(new() { ["key"] = "victim-exp-tag" }),
            ("POST", "/registered-models/rename") => Model(new() { ["new_name"] = "stolen" }),
            ("PATCH", "/registered-models/update") => Model(new() { ["description"] = "stolen" }),
            ("DELETE", "/registered-models/delete") => Model([]),
            ("GET", "/registered-models/get") => Model([]),
            ("POST", "/registered-models/get-latest-versions") or ("GET", "/registered-models/get-latest-versions") => Model([]),
            ("POST", "/registered-models/set-tag") => Model(new() { ["key"] = "t", ["value"] = "stolen" }),
            ("DELETE", "/registered-models/delete-tag") => Model(new() { ["key"] = "t" }),
            ("POST", "/registered-models/alias") => Model(new() { ["alias"] = "stolen", ["version"] = "1" }),
            ("DELETE", "/registered-models/alias") or ("GET", "/registered-models/alias") => Model(new() { ["alias"] = "champion" }),
            ("GET", "/registered-models/alias/history") or ("POST", "/registered-models/alias/rollback") => Model(new() { ["alias"] = "champion" }),
            // Registering a version of one's own model from the victim's files is as much a theft as of theirs.
            ("POST", "/model-versions/create") => new()
            {
                ["name"] = random.Next(2) == 0 ? m : attacker + "-model",
                ["source"] = random.Next(3) switch { 0 => $"mlflow-artifacts:/{e}/{r}/artifacts/model", 1 => $"runs:/{r}/model", _ => $"models:/{lm}" },
                ["run_id"] = r,
            },
            ("PATCH", "/model-versions/update") => Model(new() { ["version"] = "1", ["description"] = "stolen" }),
            ("POST", "/model-versions/transition-stage") => Model(new() { ["version"] = "1", ["stage"] = "Archived" }),
            ("DELETE", "/model-versions/delete") => Model(new() { ["version"] = "1" }),
            ("GET", "/model-versions/get") or ("GET", "/model-versions/get-download-uri") => Model(new() { ["version"] = "1" }),
            ("POST", "/model-versions/set-tag") => Model(new() { ["version"] = "1", ["key"] = "victim-tag", ["value"] = "stolen" }),
            ("DELETE", "/model-versions/delete-tag") => Model(new() { ["version"] = "1", ["key"] = "victim-tag" }),
            ("GET", "/model-versions/get-artifact") => Model(new() { ["version"] = "1", ["path"] = "MLmodel" }),
            ("GET", "/get-artifact") => Run(new() { ["path"] = "secret.txt" }),
            ("GET", "/artifacts") => new() { ["path"] = $"{e}/{r}/artifacts" },
            ("GET", "/artifacts/{**path}") or ("PUT", "/artifacts/{**path}") or ("DELETE", "/artifacts/{**path}") => new() { ["path"] = file },
            ("POST", "/mpu/create/{**path}") => new() { ["route_path"] = $"{e}/{r}/artifacts", ["path"] = "secret.txt", ["num_parts"] = 1 },
            ("POST", "/mpu/complete/{**path}") => new()
            {
                ["route_path"] = $"{e}/{r}/artifacts",
                ["path"] = "secret.txt",
                ["upload_id"] = "0123456789abcdef0123456789abcdef",
                ["parts"] = new JsonArray(new JsonObject { ["part_number"] = 1, ["etag"] = "\"0\"" }),
            },
            ("POST", "/mpu/abort/{**path}") => new() { ["route_path"] = $"{e}/{r}/artifacts", ["path"] = "secret.txt", ["upload_id"] = "0123456789abcdef0123456789abcdef" },
            // A part URL the attacker forged: the signature is the permission.
            ("PUT", "/mpu/part/{**path}") => new()
            {
                ["path"] = file,
                ["upload_id"] = "0123456789abcdef0123456789abcdef",
                ["part_number"] = 1,
                ["expires"] = 4102444800,
                ["signature"] = "forged",
            },
            ("POST", "/traces") => Experiment(new() { ["timestamp_ms"] = 1, ["tags"] = new JsonArray(new JsonObject { ["key"] = "stolen", ["value"] = "x" }) }),
            ("GET", "/traces") => new() { ["experiment_ids"] = new JsonArray(e) },
            ("PATCH", "/traces/{request_id}") => new() { ["request_id"] = t, ["timestamp_ms"] = 5, ["status"] = "ERROR" },
            ("GET", "/traces/{request_id}/info") => new() { ["request_id"] = t },
            ("POST", "/traces/delete-traces") => Experiment(new() { ["request_ids"] = new JsonArray(t) }),
            ("PATCH", "/traces/{request_id}/tags") => new() { ["request_id"] = t, ["key"] = "victim-trace-tag", ["value"] = "stolen" },
            ("DELETE", "/traces/{request_id}/tags") => new() { ["request_id"] = t, ["key"] = "victim-trace-tag" },
            ("GET", "/get-trace-artifact") => new() { ["request_id"] = t },
            ("POST", "/logged-models") => Experiment(new() { ["name"] = "stolen", ["source_run_id"] = r }),
            ("GET", "/logged-models/{model_id}") or ("DELETE", "/logged-models/{model_id}") => new() { ["model_id"] = lm },
            ("PATCH", "/logged-models/{model_id}") => new() { ["model_id"] = lm, ["status"] = "LOGGED_MODEL_UPLOAD_FAILED" },
            ("POST", "/logged-models/search") => new() { ["experiment_ids"] = new JsonArray(e), ["filter"] = "name = 'victim-logged-model'" },
            ("PATCH", "/logged-models/{model_id}/tags") => new() { ["model_id"] = lm, ["tags"] = new JsonArray(new JsonObject { ["key"] = "victim-model-tag", ["value"] = "stolen" }) },
            ("DELETE", "/logged-models/{model_id}/tags/{tag_key}") => new() { ["model_id"] = lm, ["tag_key"] = "victim-model-tag" },
            ("POST", "/logged-models/{model_id}/params") => new() { ["model_id"] = lm, ["params"] = new JsonArray(new JsonObject { ["key"] = "stolen", ["value"] = "x" }) },
            ("GET", "/logged-models/{model_id}/artifacts/directories") => new() { ["model_id"] = lm },
            ("GET", "/logged-models/{model_id}/artifacts/files") => new() { ["model_id"] = lm, ["artifact_file_path"] = "MLmodel" },
            ("POST", "/runs/outputs") => Run(new() { ["models"] = new JsonArray(new JsonObject { ["model_id"] = lm, ["step"] = 1 }) }),
            ("POST", "/users/create") => new() { ["username"] = "intruder", ["password"] = "intruder-password-1" },
            ("GET", "/users/get") => new() { ["username"] = v.Username },
            ("PATCH", "/users/update-password") => new() { ["username"] = v.Username, ["password"] = "stolen-password-1" },
            ("PATCH", "/users/update-admin") => new() { ["username"] = attacker, ["is_admin"] = true },
            ("DELETE", "/users/delete") => new() { ["username"] = v.Username },
            ("POST", "/experiments/permissions/create") or ("PATCH", "/experiments/permissions/update") =>
                Experiment(new() { ["username"] = attacker, ["permission"] = "MANAGE" }),
            ("GET", "/experiments/permissions/get") or ("DELETE", "/experiments/permissions/delete") => Experiment(new() { ["username"] = v.Username }),
            ("POST", "/registered-models/permissions/create") or ("PATCH", "/registered-models/permissions/update") =>
                Model(new() { ["username"] = attacker, ["permission"] = "MANAGE" }),
            ("GET", "/registered-models/permissions/get") or ("DELETE", "/registered-models/permissions/delete") => Model(new() { ["username"] = v.Username }),
            ("GET", "/api/v1/projects/{project}") or ("GET", "/api/v1/projects/{project}/runs") => new() { ["project"] = v.JobProject },
            // A run submitted into the victim's project would run as theirs.
            ("POST", "/api/v1/projects/{project}/runs") => new() { ["project"] = v.JobProject, ["content"] = Victim.JobFile("stolen"), ["file_name"] = "stolen.yml" },
            ("GET", "/api/v1/runs/{uuid}") or ("DELETE", "/api/v1/runs/{uuid}") or ("GET", "/api/v1/runs/{uuid}/logs")
                or ("POST", "/api/v1/runs/{uuid}/stop") or ("POST", "/api/v1/runs/{uuid}/restart") => new() { ["uuid"] = v.JobRun },
            // The service proxy: the victim's run through it (a job, so the proxy itself would answer 404 past the check).
            ("GET", "/services/{uuid}/{**path}") => new() { ["uuid"] = v.JobRun, ["path"] = "index.html" },
            ("POST", "/api/v1/projects/{project}/permissions") or ("PATCH", "/api/v1/projects/{project}/permissions") =>
                new() { ["project"] = v.JobProject, ["username"] = attacker, ["permission"] = "MANAGE" },
            ("GET", "/api/v1/projects/{project}/permissions") or ("DELETE", "/api/v1/projects/{project}/permissions") =>
                new() { ["project"] = v.JobProject, ["username"] = v.Username },
            // An endpoint on the victim's model would serve it to whoever reaches its port.
            ("POST", "/api/v1/endpoints") => new() { ["name"] = "stolen", ["model_uri"] = "models:/victim-model@champion", ["port"] = 0 },
            ("GET", "/api/v1/endpoints/{name}") or ("GET", "/api/v1/endpoints/{name}/logs") or ("DELETE", "/api/v1/endpoints/{name}") => new() { ["name"] = "victim-endpoint" },
            _ => null,
        };
    }


    private static JsonObject Merge(JsonObject into, JsonObject extra)
    {
        foreach (var (key, value) in extra)
        {
            into[key] = value?.DeepClone();
        }

        return into;
    }
}
