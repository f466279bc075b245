using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fathom.Models;
using Fathom.Reviews;
using Fathom.Sentiment;
using Fathom.Serving;
using Fathom.Tracking;
using Fathom.Workflows;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The foundation's end-to-end targets on the full IMDB data: tracked training (accuracy, seconds, model size),
/// batch inference over the test reviews written out as files, and serving under wrk load (throughput, p99,
/// memory over a minute).
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- imdb --data ../shared/data/imdb [--skip-serve]</c>
/// </summary>
internal static partial class ImdbBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var data = Option(args, "--data") ?? throw new ArgumentException("--data <folder with train.jsonl.gz and test.jsonl.gz> is required");
        var work = Path.Combine(Path.GetTempPath(), "fathom-bench-imdb", Guid.NewGuid().ToString("N"));
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        Directory.CreateDirectory(work);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformationText()}");

        // 1. Tracked training on all 25,000 training reviews, evaluated on the 23,000 test reviews.
        await using var tracking = TrackingClient.Open(Path.Combine(work, "store"));
        var stopwatch = Stopwatch.StartNew();
        var outcome = await TrainingWorkflow.RunAsync(tracking,
            new TrainingRequest(Path.Combine(data, "train.jsonl.gz"), Path.Combine(data, "test.jsonl.gz"), "bench", new SentimentTrainingOptions()), null, CancellationToken.None);
        var wall = stopwatch.Elapsed;
        var run = (await tracking.Store.GetRunAsync(outcome.RunId, CancellationToken.None))!;
        double Metric(string key) => run.Metrics.Single(m => m.Key == key).Value;
        Console.WriteLine($"train: {outcome.TrainCount} fitted + {outcome.ValidationCount} validation, {outcome.TestCount} test");
        Console.WriteLine($"train: test accuracy {Metric("test_accuracy"):0.0000}, F1 {Metric("test_f1"):0.0000}, ROC-AUC {Metric("test_roc_auc"):0.0000}, log-loss {Metric("test_log_loss"):0.0000}");
        Console.WriteLine($"train: validation accuracy {Metric("val_accuracy"):0.0000}");
        Console.WriteLine($"train: {Metric("train_seconds"):0.0} s training (read+clean+featurise+fit+evaluate), {wall.TotalSeconds:0.0} s for the whole tracked run incl. reading and logging the model");
        Console.WriteLine($"train: model.zip {Metric("model_size_bytes") / 1e6:0.00} MB");

        var modelFolder = await ModelLocator.LocateAsync(outcome.RunId, () => tracking, CancellationToken.None);
        var loaded = await ModelFolder.LoadAsync(modelFolder, CancellationToken.None);
        using var model = loaded.Model;

        // 2. Batch inference over the test reviews as files.
        var files = Path.Combine(work, "test-files");
        var count = 0;
        foreach (var review in ReviewJsonlReader.Read(Path.Combine(data, "test.jsonl.gz"), _ => { }))
        {
            var folder = Path.Combine(files, review.Label == ReviewLabel.Positive ? "pos" : "neg");
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, $"{review.Id}_{review.Rating}.txt"), review.Text);
            count++;
        }

        for (var round = 1; round <= 2; round++)
        {
            var result = await new BatchPredictor(model).PredictAsync(files, Path.Combine(work, "predictions.jsonl"), recursive: true, null, CancellationToken.None);
            Console.WriteLine($"batch (round {round}): {result.FilesScored} of {count} files in {result.Duration.TotalSeconds:0.00} s = {result.FilesScored / result.Duration.TotalSeconds:N0} files/s, {result.Failed.Count} failed");
        }

        if (args.Contains("--skip-serve"))
        {
            return 0;
        }

        // 3. Serving under load from wrk (Debian package), 16 connections.
        if (!File.Exists("/usr/bin/wrk"))
        {
            Console.WriteLine("serve: wrk not installed (apt-get install wrk); skipped");
            return 0;
        }

        var port = 18765;
        await using var app = ServingHost.Build(new ServedModel(model, outcome.RunId), new ServingOptions { Port = port });
        await app.StartAsync();
        var texts = ReviewJsonlReader.Read(Path.Combine(data, "test.jsonl.gz"), _ => { }).Take(32).Select(r => r.Text).ToList();
        var body32 = Lua(work, "body32", JsonSerializer.Serialize(new { reviews = texts.Select((t, i) => new { id = i, text = t }) }));
        var body1 = Lua(work, "body1", JsonSerializer.Serialize(new { reviews = new[] { new { id = 1, text = texts[0] } } }));
        var url = $"http://127.0.0.1:{port}/api/v1/model/predict";
        await Wrk(body32, url, 5); // warm-up

        var rssStart = Rss();
        var sampler = SampleRssAsync(TimeSpan.FromSeconds(60));
        var load = await Wrk(body32, url, 60);
        var samples = await sampler;
        Console.WriteLine($"serve: 32-review requests, 16 connections, 60 s: {load.RequestsPerSecond:N0} req/s = {load.RequestsPerSecond * 32:N0} reviews/s, p99 {load.P99}");
        Console.WriteLine($"serve: RSS MB over the minute: start {rssStart:N0}, samples {string.Join(" ", samples.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}");
        var single = await Wrk(body1, url, 30);
        Console.WriteLine($"serve: 1-review requests, 16 connections, 30 s: {single.RequestsPerSecond:N0} req/s, p50 {single.P50}, p99 {single.P99}");
        await app.StopAsync();
        return 0;
    }

    private static string Lua(string work, string name, string body)
    {
        var path = Path.Combine(work, name + ".lua");
        var escaped = body.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        File.WriteAllText(path, $"wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = \"{escaped}\"\n", Encoding.UTF8);
        return path;
    }

    private static async Task<WrkResult> Wrk(string script, string url, int seconds)
    {
        var start = new ProcessStartInfo("wrk", ["-t", "2", "-c", "16", "-d", $"{seconds}s", "--latency", "-s", script, url]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Percentile(output, "50%"), Percentile(output, "99%"));
    }

    private static string Percentile(string output, string which) =>
        Regex.Match(output, $@"^\s*{Regex.Escape(which)}\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;

    private static async Task<List<double>> SampleRssAsync(TimeSpan duration)
    {
        var samples = new List<double>();
        var end = Stopwatch.StartNew();
        while (end.Elapsed < duration)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            samples.Add(Rss());
        }

        return samples;
    }

    private static double Rss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / 1e6;
    }

    private static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    private sealed record WrkResult(double RequestsPerSecond, string P50, string P99);
}
