using System.Diagnostics;
using System.Globalization;
using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The dashboard's targets in Debian's chromium (headless, driven by Playwright) against an in-process server over
/// SQLite holding <c>--runs</c> runs of 20 params and 10 metrics each: the runs table's first contentful paint and the
/// paint of its first page from a cold load; a new filter's or sort's first page; the page weight over the wire; a
/// 100,000-step metric's chart; compare of 10 runs; the server's memory.
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- dashboard [--runs 100000] [--rounds 10] [--store-folder DIR]</c>
/// (a store folder is seeded once and reused by later runs).
/// </summary>
internal static class DashboardBenchmark
{
    private const int Params = 20;
    private const int Metrics = 10;
    private const int LongHistory = 100_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(Option(args, "--runs") ?? "100000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "10", CultureInfo.InvariantCulture);
        var folder = Option(args, "--store-folder") ?? Path.Combine(Path.GetTempPath(), "fathom-bench-dashboard", Guid.NewGuid().ToString("N"));
        if (!File.Exists("/usr/bin/chromium"))
        {
            Console.Error.WriteLine("dashboard: needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium).");
            return 2;
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, load {LoadAverage()}");
        var options = new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(folder, folder), ArtifactsDestination = Path.Combine(folder, "artifacts") };
        await using var app = TrackingServerHost.Build(options);
        await app.StartAsync();
        var store = app.Services.GetRequiredService<ITrackingStore>();
        var (experimentId, compareIds, longRun) = await SeedAsync(store, runs);
        var baseUrl = new Uri(app.Urls.First());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });

        // Cold loads: a fresh browser context each round (no cache), straight to the runs table.
        var fcp = new List<double>();
        var table = new List<double>();
        var weights = new List<long>();
        for (var i = 0; i < rounds + 1; i++)
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl.ToString() });
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/#/experiments/{experimentId}");
            await page.WaitForFunctionAsync("() => performance.getEntriesByName('fathom:runs-painted').length > 0");
            var marks = await page.EvaluateAsync<double[]>("""
                () => [performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
                       performance.getEntriesByName('fathom:runs-painted')[0].startTime,
                       [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')].reduce((n, e) => n + e.transferSize, 0)]
                """);
            if (i == 0)
            {
                continue; // the server's first requests JIT its code paths
            }

            fcp.Add(marks[0]);
            table.Add(marks[1]);
            weights.Add((long)marks[2]);
        }

        Console.WriteLine($"runs table, cold load over {runs:N0} runs ({Params} params, {Metrics} metrics each), {rounds} rounds:");
        Console.WriteLine($"  first contentful paint: p50 {Median(fcp):0} ms, max {fcp.Max():0} ms (target < 500 ms)");
        Console.WriteLine($"  first page of 100 runs painted: p50 {Median(table):0} ms, max {table.Max():0} ms");
        Console.WriteLine($"  page weight over the wire: {weights.Max() / 1024.0:0} KB (shell, assets and the first search; target < 500 KB)");

        // Warm page: a new filter, and a new sort, each to its first page painted.
        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl.ToString() }))
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/#/experiments/{experimentId}");
            await page.WaitForFunctionAsync("() => performance.getEntriesByName('fathom:runs-painted').length > 0");
            var filters = new List<double>();
            var sorts = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                filters.Add(await TimeHashAsync(page, "fathom:runs-painted", 1,
                    $"#/experiments/{experimentId}?filter={Uri.EscapeDataString($"metrics.m{i % Metrics} > 0.{i + 1} and params.p{i % Params} != 'v{i}'")}"));
                sorts.Add(await TimeHashAsync(page, "fathom:runs-painted", 1,
                    $"#/experiments/{experimentId}?order={Uri.EscapeDataString($"metrics.m{i % Metrics} {(i % 2 == 0 ? "DESC" : "ASC")}")}"));
            }

            Console.WriteLine($"new filter, first page painted: p50 {Median(filters):0} ms, max {filters.Max():0} ms (target < 200 ms)");
            Console.WriteLine($"new sort by a metric, first page painted: p50 {Median(sorts):0} ms, max {sorts.Max():0} ms (target < 200 ms)");

            var charts = new List<double>();
            var compares = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                // The run page draws its first four metrics' charts; the long history is the first.
                charts.Add(await TimeHashAsync(page, "fathom:chart-drawn", 1, $"#/runs/{longRun}?round={i}"));
                compares.Add(await TimeHashAsync(page, "fathom:chart-drawn", Metrics, $"#/compare?runs={string.Join(',', compareIds)}&round={i}"));
            }

            Console.WriteLine($"a {LongHistory:N0}-step metric's chart drawn (server down-samples to 1,000 points): p50 {Median(charts):0} ms, max {charts.Max():0} ms (target < 300 ms)");
            Console.WriteLine($"compare of {compareIds.Count} runs, all {Metrics} overlaid charts drawn: p50 {Median(compares):0} ms, max {compares.Max():0} ms (target < 500 ms)");
        }

        // The server's share of those waits: the same searches over HTTP with no browser, to the last byte.
        using (var http = new HttpClient { BaseAddress = baseUrl })
        {
            var plain = new List<double>();
            var filtered = new List<double>();
            var sorted = new List<double>();
            var sortedFiltered = new List<double>();
            var sortedNarrow = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                plain.Add(await TimeSearchAsync(http, experimentId, null, "attributes.start_time DESC"));
                filtered.Add(await TimeSearchAsync(http, experimentId, $"metrics.m{i % Metrics} > 0.{i + 1} and params.p{i % Params} != 'v{i}'", "attributes.start_time DESC"));
                sorted.Add(await TimeSearchAsync(http, experimentId, null, $"metrics.m{i % Metrics} {(i % 2 == 0 ? "DESC" : "ASC")}"));
                sortedFiltered.Add(await TimeSearchAsync(http, experimentId, $"params.p{i % Params} != 'v{i}'", $"metrics.m{i % Metrics} {(i % 2 == 0 ? "DESC" : "ASC")}"));
                // One param value in 50: too few matches within the capped index walk, so the page falls back to a sort.
                sortedNarrow.Add(await TimeSearchAsync(http, experimentId, $"params.p{i % Params} = 'v{i}'", $"metrics.m{i % Metrics} DESC"));
            }

            Console.WriteLine($"search-runs alone over HTTP, top 100: newest first p50 {Median(plain):0} ms; with a new filter p50 {Median(filtered):0} ms");
            Console.WriteLine($"  sorted by a metric p50 {Median(sorted):0} ms; with a broad filter p50 {Median(sortedFiltered):0} ms; with a filter matching 2 % p50 {Median(sortedNarrow):0} ms");
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"memory: working set {process.WorkingSet64 / 1e6:0} MB, peak {process.PeakWorkingSet64 / 1e6:0} MB, managed heap {GC.GetTotalMemory(false) / 1e6:0} MB (server and bench driver in one process; target < 250 MB); load {LoadAverage()}");
        if (Option(args, "--store-folder") is null)
        {
            await app.StopAsync();
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    // Changes the page's hash and waits, in the page, for `count` new marks of that name: the time the user waits.
    private static Task<double> TimeHashAsync(IPage page, string mark, int count, string hash) =>
        page.EvaluateAsync<double>("""
            async ([mark, count, hash]) => {
              const before = performance.getEntriesByName(mark).length;
              const start = performance.now();
              location.hash = hash;
              while (performance.getEntriesByName(mark).length < before + count) await new Promise(r => setTimeout(r, 2));
              return performance.getEntriesByName(mark)[before + count - 1].startTime - start;
            }
            """, new object[] { mark, count, hash });

    private static async Task<double> TimeSearchAsync(HttpClient http, string experimentId, string? filter, string order)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { experiment_ids = new[] { experimentId }, filter, order_by = new[] { order }, max_results = 100 });
        var stopwatch = Stopwatch.StartNew();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/ajax-api/2.0/mlflow/runs/search", content);
        _ = await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    // Through the store, not HTTP: the measurement is the dashboard, not the set-up. A seeded folder is reused.
    private static async Task<(string ExperimentId, IReadOnlyList<string> CompareIds, string LongRun)> SeedAsync(ITrackingStore store, int runs)
    {
        const string name = "dashboard-bench";
        if (await store.GetExperimentByNameAsync(name, CancellationToken.None) is { } existing)
        {
            var page = await store.SearchRunsAsync(new RunSearch([existing.ExperimentId], ViewType.ActiveOnly, 20, null, "tags.role = 'compare'"), CancellationToken.None);
            var longRun = await store.SearchRunsAsync(new RunSearch([existing.ExperimentId], ViewType.ActiveOnly, 1, null, "tags.role = 'long'"), CancellationToken.None);
            Console.WriteLine($"seed: reusing the store's {name} experiment");
            return (existing.ExperimentId, page.Runs.Select(r => r.Info.RunId).ToList(), longRun.Runs.Single().Info.RunId);
        }

        var stopwatch = Stopwatch.StartNew();
        var experimentId = await store.CreateExperimentAsync(name, null, [], CancellationToken.None);
        var compare = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, runs), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancellationToken) =>
        {
            var random = new Random(i);
            var role = i < 10 ? "compare" : "bulk";
            var info = await store.CreateRunAsync(new CreateRunRequest(experimentId, $"run-{i}", "bench", 1_700_000_000_000L + i, [new Tag("role", role), new Tag("team", i % 2 == 0 ? "nlp" : "vision")]), cancellationToken);
            var metrics = Enumerable.Range(0, Metrics).SelectMany(m => Enumerable.Range(0, i < 10 ? 90 : 1).Select(step => new Metric($"m{m}", random.NextDouble(), 1_700_000_000_000L + step, step))).ToList();
            await store.LogBatchAsync(info.RunId, metrics, Enumerable.Range(0, Params).Select(p => new Param($"p{p}", $"v{random.Next(50)}")).ToList(), [], cancellationToken);
            if (i < 10)
            {
                compare.Add(info.RunId);
            }
        });

        var longInfo = await store.CreateRunAsync(new CreateRunRequest(experimentId, "long-history", "bench", 1_600_000_000_000L, [new Tag("role", "long")]), CancellationToken.None);
        for (var from = 0; from < LongHistory; from += 1000)
        {
            await store.LogBatchAsync(longInfo.RunId, Enumerable.Range(from, 1000).Select(step => new Metric("m0", Math.Sin(step / 1000.0) + step / 50_000.0, 1_600_000_000_000L + step, step)).ToList(), [], [], CancellationToken.None);
        }

        Console.WriteLine($"seed: {runs:N0} runs ({Params} params, {Metrics} metrics each) and one {LongHistory:N0}-step history in {stopwatch.Elapsed.TotalSeconds:0} s");
        return (experimentId, compare.ToList(), longInfo.RunId);
    }
}
