using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fathom.Mlflow;
using Fathom.Registry;
using Fathom.Tracking;
using Microsoft.Extensions.DependencyInjection;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The model registry over loopback HTTP against an in-process server on a temp SQLite store: registering versions,
/// then the searches MLflow clients send most (a model's versions, versions of some runs, models by name pattern) as
/// the registry grows.
/// Last, on the same store, the UI's search-datasets over an experiment whose runs all logged inputs.
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- registry [--models 200] [--versions 50] [--dataset-runs 5000]</c>
/// </summary>
internal static class RegistryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var models = int.Parse(Option(args, "--models") ?? "200", CultureInfo.InvariantCulture);
        var versionsPerModel = int.Parse(Option(args, "--versions") ?? "50", CultureInfo.InvariantCulture);
        var datasetRuns = int.Parse(Option(args, "--dataset-runs") ?? "5000", CultureInfo.InvariantCulture);
        var work = Path.Combine(Path.GetTempPath(), "fathom-bench-registry", Guid.NewGuid().ToString("N"));
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        var options = new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(work, "/"), ArtifactsDestination = Path.Combine(work, "artifacts") };
        await using var app = TrackingServerHost.Build(options);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var registry = ModelRegistries.Of(app.Services.GetRequiredService<ITrackingStore>());

        // Registration latency over HTTP, one client after another (what a CI pipeline does).
        await Send(http, HttpMethod.Post, "registered-models/create", """{"name": "http-model"}""");
        var create = await TimeAsync(60, _ => Send(http, HttpMethod.Post, "model-versions/create", """{"name": "http-model", "source": "s3://bucket/model", "run_id": "r"}"""));
        Console.WriteLine($"model-versions/create: p50 {Percentile(create, 0.5):0.0} ms, p95 {Percentile(create, 0.95):0.0} ms (50 requests after 10 warm-ups)");

        // Seeded through the store: the measurement is the search, not the set-up.
        var stopwatch = Stopwatch.StartNew();
        for (var m = 0; m < models; m++)
        {
            var name = $"model-{m:D4}";
            await registry.CreateRegisteredModelAsync(name, [new Tag("team", m % 2 == 0 ? "nlp" : "vision")], null, CancellationToken.None);
            for (var v = 0; v < versionsPerModel; v++)
            {
                await registry.CreateModelVersionAsync(new CreateModelVersionRequest(name, $"s3://bucket/{name}/{v}", $"run-{m}-{v}", [new Tag("fold", (v % 5).ToString(CultureInfo.InvariantCulture))]), CancellationToken.None);
            }
        }

        var total = models * versionsPerModel;
        Console.WriteLine($"seed: {models:N0} models x {versionsPerModel} versions = {total:N0} versions in {stopwatch.Elapsed.TotalSeconds:0.0} s");

        // A model from the middle of the seeded range, so any --models value has it.
        var probe = $"model-{models / 2:D4}";
        await ReportAsync(http, $"model-versions/search name = '{probe}' (all its versions)",
            $"model-versions/search?filter={Uri.EscapeDataString($"name = '{probe}'")}&max_results=1000");
        await ReportAsync(http, "model-versions/search run_id IN (3 runs)",
            $"model-versions/search?filter={Uri.EscapeDataString("run_id IN ('run-7-1', 'run-99-3', 'run-150-49')")}");
        await ReportAsync(http, "model-versions/search tags.fold = '3' ORDER BY version_number DESC, top 100",
            $"model-versions/search?filter={Uri.EscapeDataString("tags.fold = '3'")}&order_by=version_number+DESC&max_results=100");
        await ReportAsync(http, "registered-models/search name LIKE 'model-01%' AND tags.team = 'nlp', top 100 (with latest versions)",
            $"registered-models/search?filter={Uri.EscapeDataString("name LIKE 'model-01%' AND tags.team = 'nlp'")}&max_results=100");
        await ReportAsync(http, "registered-models/get", $"registered-models/get?name={probe}");
        await ReportAsync(http, "registered-models/get-latest-versions", $"registered-models/get-latest-versions?name={probe}");

        // search-datasets is one query over the data sets and their inputs, so it should not grow with the runs.
        var store = app.Services.GetRequiredService<ITrackingStore>();
        var experiment = await store.CreateExperimentAsync("datasets-bench", null, [], CancellationToken.None);
        stopwatch.Restart();
        for (var r = 0; r < datasetRuns; r++)
        {
            var run = await store.CreateRunAsync(new CreateRunRequest(experiment, $"run-{r}", "bench", r, []), CancellationToken.None);
            var dataset = new Dataset($"data-{r % 20}", $"digest-{r % 40}", "local", "{}");
            await store.LogInputsAsync(run.RunId, [new DatasetInput(dataset, [new Tag("mlflow.data.context", r % 2 == 0 ? "training" : "evaluation")])], CancellationToken.None);
        }

        Console.WriteLine($"seed: {datasetRuns:N0} runs with one input each in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        var datasets = await TimeAsync(110, _ => Send(http, HttpMethod.Post, "experiments/search-datasets", $$"""{"experiment_ids": ["{{experiment}}"]}"""));
        Console.WriteLine($"experiments/search-datasets over {datasetRuns:N0} runs (40 distinct summaries): p50 {Percentile(datasets, 0.5):0.0} ms, p95 {Percentile(datasets, 0.95):0.0} ms (100 requests after 10 warm-ups)");

        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"memory: working set {process.WorkingSet64 / 1e6:0} MB (server and bench client in one process, {total:N0} versions stored)");
        await app.StopAsync();
        return 0;
    }

    private static async Task ReportAsync(HttpClient http, string label, string pathAndQuery)
    {
        var times = await TimeAsync(110, _ => Send(http, HttpMethod.Get, pathAndQuery, null));
        Console.WriteLine($"{label}: p50 {Percentile(times, 0.5):0.0} ms, p95 {Percentile(times, 0.95):0.0} ms (100 requests after 10 warm-ups)");
    }

    private static async Task<List<double>> TimeAsync(int count, Func<int, Task> request)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await request(i);
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        return times.Skip(10).Order().ToList();
    }

    private static async Task Send(HttpClient http, HttpMethod method, string rpc, string? json)
    {
        using var request = new HttpRequestMessage(method, "/api/2.0/mlflow/" + rpc);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{rpc}: {response.StatusCode} {text}");
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
