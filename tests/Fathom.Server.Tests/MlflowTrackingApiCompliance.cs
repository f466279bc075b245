using System.Net;
using System.Text.Json;
using Fathom.Server.Tests.Backends;

namespace Fathom.Server.Tests;

/// <summary>
/// The tracking API as MLflow's clients drive it, run once per backend pair (SQLite and a local folder; PostgreSQL and
/// S3): what differs between stores must not show on the wire.
/// </summary>
public abstract partial class MlflowTrackingApiCompliance(ServerBackend backend)
{
    private readonly MlflowClient _client = new(backend.Http ?? new HttpClient());

    private protected MlflowClient Client => _client;

    protected HttpClient Http => backend.Http;

    protected void SkipIfUnavailable() => Skip.If(backend.Unavailable is not null, backend.Unavailable);

    [SkippableFact]
    public async Task RunLifecycle_CreateLogGetSearch_AnswersInMlflowsShape()
    {
        SkipIfUnavailable();
        var experimentId = await Client.CreateExperimentAsync("lifecycle-" + Guid.NewGuid().ToString("N"));
        var runId = await Client.CreateRunAsync(experimentId, "first");

        await Client.OkAsync("/api/2.0/mlflow/runs/log-batch", $$"""
            {"run_id": "{{runId}}", "metrics": [{"key": "loss", "value": 0.5, "timestamp": 10, "step": 1}, {"key": "loss", "value": 0.25, "timestamp": 11, "step": 2}],
             "params": [{"key": "lr", "value": "0.1"}], "tags": [{"key": "team", "value": "nlp"}]}
            """);
        await Client.OkAsync("/api/2.0/mlflow/runs/update", $$"""{"run_id": "{{runId}}", "status": "FINISHED", "end_time": 20}""");
        var run = (await Client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).GetProperty("run");
        var found = await Client.OkAsync("/api/2.0/mlflow/runs/search", $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "metrics.loss < 0.3 and params.lr = '0.1'"}""");

        Assert.Equal("FINISHED", run.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", run.GetProperty("info").GetProperty("artifact_uri").GetString());
        Assert.Equal("""[{"key":"loss","value":0.25,"timestamp":11,"step":2}]""", run.GetProperty("data").GetProperty("metrics").GetRawText());
        Assert.Equal(["first"], MlflowClient.Names(found));
    }

    // MLflow's server shortens a param value over 6,000 characters and a run tag value over 8,000 (its default,
    // MLFLOW_TRUNCATE_LONG_VALUES=true) instead of refusing them: the Python client logs long configs and notes.
    [SkippableFact]
    public async Task LongParamAndTagValues_AreAcceptedAndTruncated_AsMlflowsServerDoes()
    {
        SkipIfUnavailable();
        var runId = await Client.CreateRunAsync("0", "long-values");

        await Client.OkAsync("/api/2.0/mlflow/runs/log-parameter", JsonSerializer.Serialize(new { run_id = runId, key = "config", value = new string('c', 6100) }));
        await Client.OkAsync("/api/2.0/mlflow/runs/set-tag", JsonSerializer.Serialize(new { run_id = runId, key = "mlflow.note.content", value = new string('n', 8100) }));
        await Client.OkAsync("/api/2.0/mlflow/runs/log-batch", JsonSerializer.Serialize(new
        {
            run_id = runId,
            @params = new[] { new { key = "prompt", value = new string('p', 7000) } },
            tags = new[] { new { key = "trace", value = new string('t', 9000) } },
        }));

        var data = (await Client.OkGetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}")).GetProperty("run").GetProperty("data");
        string Value(string kind, string key) => data.GetProperty(kind).EnumerateArray().Single(p => p.GetProperty("key").GetString() == key).GetProperty("value").GetString()!;
        Assert.Equal((6000, 6000, 8000, 8000), (Value("params", "config").Length, Value("params", "prompt").Length, Value("tags", "mlflow.note.content").Length, Value("tags", "trace").Length));
    }

    // Registry tags are not shortened: MLflow refuses a registered-model or model-version tag value over 5,000 characters.
    [SkippableFact]
    public async Task RegistryTagValues_OverFiveThousandCharacters_AreRefusedWithMlflowsMessage()
    {
        SkipIfUnavailable();
        var name = "model-" + Guid.NewGuid().ToString("N");
        await Client.OkAsync("/api/2.0/mlflow/registered-models/create", JsonSerializer.Serialize(new { name }));
        await Client.OkAsync("/api/2.0/mlflow/model-versions/create", JsonSerializer.Serialize(new { name, source = "mlflow-artifacts:/0/x/artifacts/model" }));

        var onModel = await Client.PostAsync("/api/2.0/mlflow/registered-models/set-tag", JsonSerializer.Serialize(new { name, key = "card", value = new string('x', 5001) }));
        var onVersion = await Client.PostAsync("/api/2.0/mlflow/model-versions/set-tag", JsonSerializer.Serialize(new { name, version = "1", key = "card", value = new string('x', 5001) }));
        await Client.OkAsync("/api/2.0/mlflow/registered-models/set-tag", JsonSerializer.Serialize(new { name, key = "card", value = new string('x', 5000) }));

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", onModel, "'value' exceeds the maximum length of 5000 characters");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", onVersion, "'value' exceeds the maximum length of 5000 characters");
    }
}
