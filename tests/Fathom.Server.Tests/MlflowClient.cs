using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>Sends raw JSON the way MLflow's Python client does and reads the answer as a JSON tree.</summary>
internal sealed class MlflowClient(HttpClient http)
{
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        return (response.StatusCode, await ReadAsync(response));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string pathAndQuery)
    {
        using var response = await http.GetAsync(pathAndQuery);
        return (response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Sends JSON with any verb (the trace API PATCHes and DELETEs with a body, as MLflow's client does).</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await ReadAsync(response));
    }

    public async Task<JsonElement> OkSendAsync(HttpMethod method, string path, string json)
    {
        var (status, body) = await SendAsync(method, path, json);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {status} {body}");
        return body;
    }

    public async Task<JsonElement> OkAsync(string path, string json)
    {
        var (status, body) = await PostAsync(path, json);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {body}");
        return body;
    }

    public async Task<JsonElement> OkGetAsync(string pathAndQuery)
    {
        var (status, body) = await GetAsync(pathAndQuery);
        Assert.True(status == HttpStatusCode.OK, $"{pathAndQuery}: {status} {body}");
        return body;
    }

    public async Task<string> CreateExperimentAsync(string name) =>
        (await OkAsync("/api/2.0/mlflow/experiments/create", JsonSerializer.Serialize(new { name }))).GetProperty("experiment_id").GetString()!;

    public async Task<string> CreateRunAsync(string experimentId, string name, long startTime = 1_700_000_000_000) =>
        (await OkAsync("/api/2.0/mlflow/runs/create", JsonSerializer.Serialize(new { experiment_id = experimentId, run_name = name, start_time = startTime, user_id = "alice" })))
        .GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

    public static void AssertError(HttpStatusCode expectedStatus, string errorCode, (HttpStatusCode Status, JsonElement Body) answer, string? messagePart = null)
    {
        Assert.Equal(expectedStatus, answer.Status);
        Assert.Equal(errorCode, answer.Body.GetProperty("error_code").GetString());
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, answer.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    public static string[] Names(JsonElement body) => body.TryGetProperty("runs", out var runs)
        ? runs.EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_name").GetString()!).ToArray()
        : [];

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
