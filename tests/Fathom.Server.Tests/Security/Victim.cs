using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// What one user (alice) owns on an auth server, with secrets that must never reach another user: an experiment,
/// a run with data and artifacts, a registered model with a version and an alias. <see cref="SnapshotAsync"/> reads
/// it all back as the administrator, so a test can tell whether anything changed.
/// </summary>
internal sealed record Victim(string ExperimentId, string ExperimentName, string RunId, string Model, string Username, string TraceId, string LoggedModelId, string JobProject, string JobRun)
{
    public const string SecretRunName = "victim-secret-run-name";
    public const string SecretParam = "victim-secret-param-value";
    public const string SecretTag = "victim-secret-tag-value";
    public const string SecretFile = "victim-secret-file-bytes";
    public const string SecretModel = "victim-secret-model-description";

    public const double SecretMetric = 4242.125;

    /// <summary>Strings that only the victim's data holds: no answer to another user may contain one.</summary>
    public static readonly string[] Secrets = [SecretRunName, SecretParam, SecretTag, SecretFile, SecretModel, "4242.125"];

    /// <summary>
    /// What a successful answer about the victim's resources would hold. A caller may succeed only where it named
    /// nothing of theirs (an id that names no run answers an empty history, as MLflow's does), so no 2xx may hold these.
    /// </summary>
    /// <remarks>Names are matched as whole JSON strings: <c>" victim-model"</c> is another model's name.</remarks>
    public IReadOnlyList<string> Markers => [.. Secrets, .. new[] { RunId, ExperimentName, Model, "secret.txt", Username, TraceId, LoggedModelId, JobProject, JobRun }.Select(n => $"\"{n}\"")];

    /// <summary>A job that prints <paramref name="text"/> (the victim's prints a secret into its log).</summary>
    public static string JobFile(string text) => $$$"""
        version: 1.1
        kind: component
        name: job
        run: {kind: job, container: {image: busybox, command: [echo, "{{{text}}}"]}}
        """;

    public static async Task<Victim> CreateAsync(AuthServer server)
    {
        using var alice = await server.UserAsync("alice");
        var experiment = (await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "victim-exp" })).GetProperty("experiment_id").GetString()!;
        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/set-experiment-tag", new { experiment_id = experiment, key = "victim-exp-tag", value = SecretTag });
        var run = (await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/runs/create", new { experiment_id = experiment, run_name = SecretRunName, start_time = 1 }))
            .GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/runs/log-batch", new
        {
            run_id = run,
            metrics = new[] { new { key = "victim-metric", value = SecretMetric, timestamp = 1, step = 0 } },
            @params = new[] { new { key = "victim-param", value = SecretParam } },
            tags = new[] { new { key = "victim-tag", value = SecretTag } },
        });
        foreach (var file in new[] { "secret.txt", "model/MLmodel" })
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(SecretFile));
            using var put = await alice.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run}/artifacts/{file}", content);
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "victim-model", description = SecretModel });
        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "victim-model", source = $"mlflow-artifacts:/{experiment}/{run}/artifacts/model", run_id = run });
        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/registered-models/alias", new { name = "victim-model", alias = "champion", version = "1" });
        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/model-versions/set-tag", new { name = "victim-model", version = "1", key = "victim-tag", value = SecretTag });
        var trace = (await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/traces", new
        {
            experiment_id = experiment,
            timestamp_ms = 1,
            request_metadata = new[] { new { key = "mlflow.traceInputs", value = SecretParam } },
            tags = new[] { new { key = "victim-trace-tag", value = SecretTag } },
        })).GetProperty("trace_info").GetProperty("request_id").GetString()!;
        using (var spans = new ByteArrayContent(Encoding.UTF8.GetBytes(SecretFile)))
        {
            using var put = await alice.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{experiment}/traces/{trace}/artifacts/traces.json", spans);
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        // An MLflow 3 logged model of the experiment, with a file at its location and a metric linked to it.
        var loggedModel = (await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/logged-models", new
        {
            experiment_id = experiment,
            name = "victim-logged-model",
            source_run_id = run,
            @params = new[] { new { key = "victim-model-param", value = SecretParam } },
            tags = new[] { new { key = "victim-model-tag", value = SecretTag } },
        })).GetProperty("model").GetProperty("info").GetProperty("model_id").GetString()!;
        using (var weights = new ByteArrayContent(Encoding.UTF8.GetBytes(SecretFile)))
        {
            using var put = await alice.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{experiment}/models/{loggedModel}/artifacts/MLmodel", weights);
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/runs/log-metric", new { run_id = run, key = "victim-model-metric", value = SecretMetric, timestamp = 1, model_id = loggedModel });

        // A project of jobs and a finished run of it, whose log holds a secret.
        var job = (await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/v1/projects/victim-project/runs", new { content = JobFile(SecretParam), file_name = "victim.yml" }))
            .GetProperty("run").GetProperty("uuid").GetString()!;
        for (var i = 0; i < 300; i++)
        {
            if ((await AuthServer.OkAsync(alice, HttpMethod.Get, $"/api/v1/runs/{job}", null)).GetProperty("run").GetProperty("status").GetString() == "succeeded")
            {
                break;
            }

            await Task.Delay(100);
        }

        return new Victim(experiment, "victim-exp", run, "victim-model", "alice", trace, loggedModel, "victim-project", job);
    }

    /// <summary>Everything the victim owns, as the administrator reads it, and whether alice can still sign in.</summary>
    public async Task<string> SnapshotAsync(AuthServer server)
    {
        using var admin = server.Admin();
        var parts = new List<string>();
        foreach (var path in new[]
        {
            $"/api/2.0/mlflow/experiments/get?experiment_id={ExperimentId}",
            $"/api/2.0/mlflow/runs/get?run_id={RunId}",
            $"/api/2.0/mlflow/metrics/get-history?run_id={RunId}&metric_key=victim-metric",
            $"/api/2.0/mlflow/metrics/get-history?run_id={RunId}&metric_key=m",
            $"/api/2.0/mlflow/artifacts/list?run_id={RunId}",
            $"/api/2.0/mlflow/registered-models/get?name={Model}",
            $"/api/2.0/mlflow/model-versions/search?filter=name%3D%27{Model}%27",
            "/api/2.0/mlflow/users/get?username=alice",
            "/api/2.0/mlflow/users/get?username=intruder",
            $"/api/2.0/mlflow-artifacts/artifacts/{ExperimentId}/{RunId}/artifacts/secret.txt",
            $"/api/2.0/mlflow-artifacts/artifacts?path={ExperimentId}/{RunId}/artifacts",
            $"/api/2.0/mlflow/traces/{TraceId}/info",
            $"/api/2.0/mlflow/traces?experiment_ids={ExperimentId}",
            $"/ajax-api/2.0/mlflow/get-trace-artifact?request_id={TraceId}",
            $"/api/2.0/mlflow/logged-models/{LoggedModelId}",
            $"/api/2.0/mlflow/logged-models/{LoggedModelId}/artifacts/directories",
            $"/ajax-api/2.0/mlflow/logged-models/{LoggedModelId}/artifacts/files?artifact_file_path=MLmodel",
            $"/api/v1/runs/{JobRun}",
            $"/api/v1/runs/{JobRun}/logs",
            $"/api/v1/projects/{JobProject}/runs",
            $"/api/v1/projects/{JobProject}/permissions?username=mallory",
        })
        {
            using var response = await admin.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            parts.Add($"{path} {(int)response.StatusCode} {Normalise(text)}");
        }

        // The attacker's own account: still no administrator, and no grant on the victim's experiment or model but
        // those the administrator gave. (Grants on what the attacker may manage, or on names of nothing, are theirs.)
        using var account = await admin.GetAsync("/api/2.0/mlflow/users/get?username=mallory");
        if (account.IsSuccessStatusCode)
        {
            var user = JsonNode.Parse(await account.Content.ReadAsStringAsync())!["user"]!;
            var grants = user["experiment_permissions"]!.AsArray().Where(g => g!["experiment_id"]!.ToString() == ExperimentId)
                .Concat(user["registered_model_permissions"]!.AsArray().Where(g => g!["name"]!.ToString() == Model))
                .Select(g => g!.ToJsonString());
            parts.Add($"mallory: admin {user["is_admin"]}, grants {string.Join(' ', grants)}");
        }

        using var alice = server.As("alice", AuthServer.PasswordOf("alice"));
        using var signIn = await alice.GetAsync($"/api/2.0/mlflow/experiments/get?experiment_id={ExperimentId}");
        parts.Add($"alice signs in: {(int)signIn.StatusCode}");
        return string.Join('\n', parts);
    }

    private static string Normalise(string text)
    {
        try
        {
            return JsonNode.Parse(text)?.ToJsonString() ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    public static AuthenticationHeaderValue Credentials(string user) => AuthServer.Basic(user, AuthServer.PasswordOf(user));
}
