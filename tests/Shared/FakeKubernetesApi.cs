using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fathom.Testing;

/// <summary>
/// A FAKE Kubernetes API server on loopback, not a cluster: it answers the few routes the executor calls (create, read
/// and watch a Job; list and read its pod; the pod's log; delete) and "runs" each created Job by its main container's
/// env: <c>FAKE_LOG</c> is the pod's log (lines split at '|'), <c>FAKE_EXIT</c> its exit code, and <c>FAKE_HANG=1</c>
/// keeps it running until the Job is deleted. Everything received is kept for the test to check.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JsonObject> _jobs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _deleted = new();

    private FakeKubernetesApi(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    /// <summary>The Jobs created, as their JSON bodies.</summary>
    public IReadOnlyDictionary<string, JsonObject> Jobs => _jobs;

    /// <summary>Completes when the Job is deleted.</summary>
    public Task Deleted(string name) => _deleted.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app);
        fake.Map(app);
        await app.StartAsync();
        return fake;
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/apis/batch/v1/namespaces/{ns}/jobs", async (string ns, HttpRequest request) =>
        {
            var job = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            var name = job["metadata"]!["name"]!.GetValue<string>();
            job["metadata"]!["resourceVersion"] = "1";
            _jobs[name] = job;
            return Results.Json(job, statusCode: 201);
        });
        app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs/{name}", (string name) =>
            _jobs.TryGetValue(name, out var job) ? Results.Json(WithStatus(name, job)) : Results.NotFound());
        app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs", async (HttpContext context) =>
        {
            // Watch: one MODIFIED event once the Job has ended (or never, while it hangs), then the stream ends.
            var name = context.Request.Query["fieldSelector"].ToString().Replace("metadata.name=", "", StringComparison.Ordinal);
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync();
            if (_jobs.TryGetValue(name, out var job) && !Hangs(job))
            {
                await context.Response.WriteAsync(new JsonObject { ["type"] = "MODIFIED", ["object"] = WithStatus(name, job) }.ToJsonString() + "\n");
            }
            else
            {
                await Task.WhenAny(Deleted(name), Task.Delay(Timeout.Infinite, context.RequestAborted));
            }
        });
        app.MapDelete("/apis/batch/v1/namespaces/{ns}/jobs/{name}", (string name) =>
        {
            _ = Deleted(name);
            _deleted[name].TrySetResult();
            return Results.Json(new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" });
        });
        app.MapGet("/api/v1/namespaces/{ns}/pods", (HttpRequest request) =>
        {
            var uuid = request.Query["labelSelector"].ToString().Split('=')[1];
            var items = new JsonArray();
            foreach (var (name, job) in _jobs.Where(j => j.Key == "fathom-" + uuid))
            {
                items.Add(Pod(name, job));
            }

            return Results.Json(new JsonObject { ["kind"] = "PodList", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["items"] = items });
        });
        app.MapGet("/api/v1/namespaces/{ns}/pods/{pod}", (string pod) =>
            _jobs.TryGetValue(pod[..^"-pod".Length], out var job) ? Results.Json(Pod(pod[..^"-pod".Length], job)) : Results.NotFound());
        app.MapGet("/api/v1/namespaces/{ns}/pods/{pod}/log", async (string pod, HttpContext context) =>
        {
            var job = _jobs[pod[..^"-pod".Length]];
            await context.Response.StartAsync();
            foreach (var line in (Env(job, "FAKE_LOG") ?? "").Split('|'))
            {
                await context.Response.WriteAsync(line + "\n");
                await context.Response.Body.FlushAsync();
            }

            if (Hangs(job))
            {
                await Task.WhenAny(Deleted(pod[..^"-pod".Length]), Task.Delay(Timeout.Infinite, context.RequestAborted));
            }
        });
    }

    private static string? Env(JsonObject job, string name) =>
        job["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]?.AsArray().FirstOrDefault(e => e!["name"]!.GetValue<string>() == name)?["value"]?.GetValue<string>();

    private static bool Hangs(JsonObject job) => Env(job, "FAKE_HANG") == "1";

    private static int ExitCode(JsonObject job) => int.Parse(Env(job, "FAKE_EXIT") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject WithStatus(string name, JsonObject job)
    {
        var copy = job.DeepClone().AsObject();
        copy["metadata"]!["name"] = name;
        if (!Hangs(job))
        {
            copy["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = ExitCode(job) == 0 ? "Complete" : "Failed", ["status"] = "True" }) };
        }

        return copy;
    }

    private static JsonObject Pod(string jobName, JsonObject job)
    {
        var container = job["spec"]!["template"]!["spec"]!["containers"]![0]!["name"]!.GetValue<string>();
        var state = Hangs(job)
            ? new JsonObject { ["running"] = new JsonObject() }
            : new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = ExitCode(job) } };
        return new JsonObject
        {
            ["kind"] = "Pod",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = jobName + "-pod", ["labels"] = job["spec"]!["template"]!["metadata"]!["labels"]!.DeepClone() },
            ["status"] = new JsonObject
            {
                ["phase"] = Hangs(job) ? "Running" : ExitCode(job) == 0 ? "Succeeded" : "Failed",
                ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = container, ["ready"] = false, ["restartCount"] = 0, ["image"] = "x", ["imageID"] = "x", ["state"] = state }),
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var waiter in _deleted.Values)
        {
            waiter.TrySetResult();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
