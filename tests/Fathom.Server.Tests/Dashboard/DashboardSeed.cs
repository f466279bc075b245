using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests.Dashboard;

/// <summary>Logs what the stories look at, through the server's own REST API as an MLflow client would.</summary>
internal static class DashboardSeed
{
    public const string Commit = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

    // A 2×2 PNG, red and blue: small enough to inline, real enough for the browser to decode.
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEUlEQVR4nGP4zwAEIOI/kAAAG/ID/VxhF44AAAAASUVORK5CYII=");

    public sealed record Seeded(string ExperimentId, IReadOnlyDictionary<string, string> Runs);

    /// <summary>Three runs of one experiment: two "cnn" and one "rnn", with histories, tags and (on run-a) files.</summary>
    public static async Task<Seeded> SentimentAsync(HttpClient http)
    {
        var experimentId = (await OkAsync(http, "/api/2.0/mlflow/experiments/create", new { name = "sentiment" })).GetProperty("experiment_id").GetString()!;
        var runs = new Dictionary<string, string>();
        foreach (var (name, model, lr, ceiling) in new[] { ("run-a", "cnn", "0.1", 0.95), ("run-b", "cnn", "0.01", 0.9), ("run-c", "rnn", "0.1", 0.7) })
        {
            var run = (await OkAsync(http, "/api/2.0/mlflow/runs/create", new
            {
                experiment_id = experimentId,
                run_name = name,
                start_time = 1_767_000_000_000,
                tags = new object[]
                {
                    new { key = "mlflow.user", value = "alice" },
                    new { key = "mlflow.source.name", value = "train.py" },
                    new { key = "mlflow.source.type", value = "LOCAL" },
                    new { key = "mlflow.source.git.commit", value = Commit },
                    new { key = "team", value = "nlp" },
                },
            })).GetProperty("run").GetProperty("info");
            var runId = run.GetProperty("run_id").GetString()!;
            runs[name] = runId;
            var metrics = Enumerable.Range(0, 200).SelectMany(step => new object[]
            {
                new { key = "accuracy", value = ceiling * (1 - Math.Exp(-step / 30.0)), timestamp = 1_767_000_000_000L + step * 1000, step },
                new { key = "loss", value = 2.0 * Math.Exp(-step / 40.0) + 0.01, timestamp = 1_767_000_000_000L + step * 1000, step },
            }).ToArray();
            await OkAsync(http, "/api/2.0/mlflow/runs/log-batch", new
            {
                run_id = runId,
                @params = new object[] { new { key = "model", value = model }, new { key = "lr", value = lr }, new { key = "epochs", value = "10" } },
                metrics,
            });
            await OkAsync(http, "/api/2.0/mlflow/runs/update", new { run_id = runId, status = "FINISHED", end_time = 1_767_000_360_000 });
            if (name == "run-a")
            {
                var root = run.GetProperty("artifact_uri").GetString()!["mlflow-artifacts:/".Length..].TrimStart('/');
                await PutAsync(http, $"{root}/config.json", Encoding.UTF8.GetBytes("""{"model":"cnn","layers":[64,32],"dropout":0.5}"""));
                await PutAsync(http, $"{root}/metrics.csv", Encoding.UTF8.GetBytes("step,accuracy,note\n0,0.1,\"warm, up\"\n1,0.5,steady\n"));
                await PutAsync(http, $"{root}/notes/readme.txt", Encoding.UTF8.GetBytes("Trained on the reviews sample.\n"));
                await PutAsync(http, $"{root}/model/MLmodel", Encoding.UTF8.GetBytes("flavors:\n  python_function:\n    loader_module: fathom\n"));
                await PutAsync(http, $"{root}/confusion.png", Png);
            }
        }

        return new Seeded(experimentId, runs);
    }

    public static async Task<JsonElement> OkAsync(HttpClient http, string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task PutAsync(HttpClient http, string path, byte[] bytes)
    {
        using var response = await http.PutAsync("/api/2.0/mlflow-artifacts/artifacts/" + path, new ByteArrayContent(bytes));
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {response.StatusCode}");
    }
}
