using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fathom.Models;
using Fathom.Monitoring;
using Fathom.Reviews;
using Fathom.Serving;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The serving host's settings side by side under wrk load (16 connections) on MLflow's <c>/invocations</c>:
/// metrics off, metrics on, and micro-batching on with no wait and with a bounded wait, each a host of its own in
/// this process, measured in interleaved rounds so that other load on the machine falls on all alike.
/// With <c>--warm-start</c>, first a fresh <c>fathom serve</c> process: start to first answer and its first 15 s
/// against the next 15 s (ServingBenchmark.WarmStart.cs).
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- serving --model FOLDER --data ../shared/data/imdb [--seconds 10] [--rounds 3] [--wait-us 200] [--warm-start [--fathom PATH]]</c>
/// </summary>
internal static partial class ServingBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var modelFolder = Option(args, "--model") ?? throw new ArgumentException("--model <model folder saved by fathom train> is required");
        var data = Option(args, "--data") ?? throw new ArgumentException("--data <folder with test.jsonl.gz> is required");
        var seconds = int.Parse(Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var waitUs = int.Parse(Option(args, "--wait-us") ?? "200", CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("fathom-bench-serving").FullName;
        var loaded = await ModelFolder.LoadAsync(modelFolder, CancellationToken.None);
        using var model = loaded.Model;
        var texts = ReviewJsonlReader.Read(Path.Combine(data, "test.jsonl.gz"), _ => { }).Take(32).Select(r => r.Text).ToList();
        Console.WriteLine($"reviews: the 1-review body holds the first test review ({texts[0].Length} characters); the 32-review body the first 32 ({texts.Sum(t => t.Length) / 32} characters on average)");
        var body1 = Lua(work, "one", JsonSerializer.Serialize(new { instances = new[] { texts[0] } }));
        var body32 = Lua(work, "many", JsonSerializer.Serialize(new { instances = texts }));
        Console.WriteLine($"engine: {model.Engine}{(model.FallbackReason is null ? "" : $" ({model.FallbackReason})")}");
        if (args.Contains("--warm-start"))
        {
            await WarmStartAsync(args, modelFolder, body32, texts[0]);
        }

        (string Name, ServingOptions Options)[] settings =
        [
            ("metrics off", new ServingOptions { Port = 0, Metrics = false }),
            ("metrics on", new ServingOptions { Port = 0 }),
            // The prediction log at its default sample (a tenth of the requests): the target is under 5 % of throughput.
            ("metrics on, prediction log", new ServingOptions { Port = 0, PredictionLog = new PredictionLogOptions(Path.Combine(work, "predictions")) }),
            ("metrics on, micro-batch, no wait", new ServingOptions { Port = 0, MicroBatch = true }),
            ($"metrics on, micro-batch, wait {waitUs} us", new ServingOptions { Port = 0, MicroBatch = true, MicroBatchWait = TimeSpan.FromMicroseconds(waitUs) }),
        ];
        var hosts = new List<(string Name, Microsoft.AspNetCore.Builder.WebApplication App, string Url)>();
        foreach (var (name, options) in settings)
        {
            var app = ServingHost.Build(new ServedModel(model, loaded.Manifest.ModelUuid, Folder: modelFolder), options);
            await app.StartAsync();
            hosts.Add((name, app, app.Urls.First() + "/invocations"));
        }

        try
        {
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}; {rounds} interleaved rounds of {seconds} s per setting");
            foreach (var host in hosts)
            {
                await Wrk(body32, host.Url, 3); // warm-up: tiered JIT settles on every host's path
                await Wrk(body1, host.Url, 2);
            }

            var single = hosts.ToDictionary(h => h.Name, _ => new List<WrkResult>());
            var batch = hosts.Take(3).ToDictionary(h => h.Name, _ => new List<WrkResult>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var host in hosts)
                {
                    single[host.Name].Add(await Wrk(body1, host.Url, seconds));
                }

                foreach (var host in hosts.Take(3))
                {
                    batch[host.Name].Add(await Wrk(body32, host.Url, seconds));
                }
            }

            Report("1-review requests", single, 1);
            Report("32-review requests", batch, 32);
            Console.WriteLine($"load average after: {LoadAverage()}");
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.App.StopAsync();
                await host.App.DisposeAsync();
            }

            Directory.Delete(work, recursive: true);
        }

        return 0;
    }

    private static void Report(string title, Dictionary<string, List<WrkResult>> results, int reviews)
    {
        var baseline = Median(results.First().Value.Select(r => r.RequestsPerSecond));
        var baselineCpu = Median(results.First().Value.Select(r => r.CpuMicrosecondsPerRequest));
        Console.WriteLine($"{title}, 16 connections (median of rounds; each round's req/s in brackets):");
        foreach (var (name, runs) in results)
        {
            var median = Median(runs.Select(r => r.RequestsPerSecond));
            var cpu = Median(runs.Select(r => r.CpuMicrosecondsPerRequest));
            Console.WriteLine($"  {name,-40} {median,8:N0} req/s = {median * reviews,8:N0} reviews/s  {median / baseline,6:P0} of '{results.First().Key}'  server CPU {cpu,7:N1} us/request ({cpu / baselineCpu,6:P0})  p99 {string.Join(" ", runs.Select(r => r.P99))}  [{string.Join(" ", runs.Select(r => r.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}]");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Lua(string work, string name, string body)
    {
        var path = Path.Combine(work, name + ".lua");
        var escaped = body.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        File.WriteAllText(path, $"wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = \"{escaped}\"\n", Encoding.UTF8);
        return path;
    }

    // The server runs in this process and wrk in its own, so this process's CPU time is the server's: CPU per
    // request does not shrink when other load on the machine takes cores away, as req/s does.
    private static async Task<WrkResult> Wrk(string script, string url, int seconds)
    {
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var start = new ProcessStartInfo("wrk", ["-t", "2", "-c", "16", "-d", $"{seconds}s", "--latency", "-s", script, url]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (NonSuccess().Match(output) is { Success: true } failed)
        {
            throw new InvalidOperationException($"wrk saw {failed.Groups[1].Value} non-2xx answers from {url}");
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var requests = long.Parse(RequestCount().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Regex.Match(output, @"^\s*99%\s+(\S+)", RegexOptions.Multiline).Groups[1].Value, cpu.TotalMicroseconds / Math.Max(requests, 1));
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    private sealed record WrkResult(double RequestsPerSecond, string P99, double CpuMicrosecondsPerRequest);
}
