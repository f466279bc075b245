using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fathom.Reviews;
using Fathom.Sentiment;
using Fathom.Tracking;
using Fathom.Workflows;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// Batch inference over the 23,000 IMDB test reviews written out as files: where one review's time goes (read,
/// clean, score with ML.NET's engine and with the direct linear scorer, one thread), the batch predictor in process
/// with each engine, <c>fathom predict</c> as a process (start-up and model load included), and the Python peer
/// (scikit-learn TF-IDF + logistic regression, 2 processes, bench/predict_sklearn.py) in the same run.
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- predict --data ../shared/data/imdb [--model FOLDER] [--fathom PATH] [--rounds 3] [--python /usr/bin/python3]</c>
/// </summary>
internal static class PredictBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var data = Path.GetFullPath(Option(args, "--data") ?? throw new ArgumentException("--data <folder with train.jsonl.gz and test.jsonl.gz> is required"));
        var rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var python = Option(args, "--python") ?? "/usr/bin/python3";
        var work = Directory.CreateTempSubdirectory("fathom-bench-predict").FullName;
        try
        {
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            var modelFolder = Option(args, "--model") ?? await TrainAsync(data, work);
            var files = Path.Combine(work, "test-files");
            var count = WriteFiles(data, files);
            Console.WriteLine($"data: {count:N0} test reviews as files under {files}");

            var bytes = await File.ReadAllBytesAsync(Path.Combine(modelFolder, "model.zip"));
            var load = Stopwatch.StartNew();
            using var linear = SentimentModel.Load(new MemoryStream(bytes));
            Console.WriteLine($"load: model.zip ({bytes.Length / 1e6:0.0} MB) with the linear scorer checked against ML.NET: {load.ElapsedMilliseconds} ms; engine {linear.Engine}{(linear.FallbackReason is null ? "" : $" ({linear.FallbackReason})")}");
            using var mlnet = SentimentModel.Load(new MemoryStream(bytes), SentimentScoring.MlNet);

            Breakdown(files, mlnet, linear);

            var output = Path.Combine(work, "predictions.jsonl");
            var results = new Dictionary<string, List<double>> { ["ML.NET engine"] = [], ["linear"] = [] };
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, model) in new[] { ("ML.NET engine", mlnet), ("linear", linear) })
                {
                    var result = await new BatchPredictor(model).PredictAsync(files, output, recursive: true, null, CancellationToken.None);
                    Check(result.FilesScored == count && result.Failed.Count == 0, $"{name} scored {result.FilesScored} of {count}");
                    results[name].Add(result.FilesScored / result.Duration.TotalSeconds);
                }
            }

            foreach (var (name, rates) in results)
            {
                Console.WriteLine($"batch in process, {name,-14}: {Median(rates),8:N0} files/s (rounds: {string.Join(" ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})");
            }

            double? cliRate = null;
            var cli = Option(args, "--fathom") ?? DefaultCli();
            if (File.Exists(cli))
            {
                var isDll = cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
                var times = new List<TimeSpan>();
                for (var round = 0; round < rounds; round++)
                {
                    times.Add(await TimeAsync(work, isDll ? "dotnet" : cli, [.. isDll ? new[] { cli } : [], "predict", "-m", modelFolder, "-i", files, "-r", "-o", output]));
                }

                Check(File.ReadLines(output).Count() == count, "fathom predict wrote a line per file");
                cliRate = count / Median(times.Select(t => t.TotalSeconds));
                Console.WriteLine($"fathom predict as a process ({cli}): {cliRate:N0} files/s start-up and model load included (wall s: {string.Join(" ", times.Select(t => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))})");
            }
            else
            {
                Console.WriteLine($"fathom predict as a process: {cli} not built (dotnet build -c Release src/Fathom.Cli, or --fathom); skipped");
            }

            if (File.Exists(python))
            {
                var script = Path.Combine(RepositoryFolder(), "bench", "predict_sklearn.py");
                var peer = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    var json = await RunAsync(python, script, "--train", Path.Combine(data, "train.jsonl.gz"), "--input", files, "--output", Path.Combine(work, "python.jsonl"));
                    using var document = JsonDocument.Parse(json);
                    peer.Add(document.RootElement.GetProperty("files_per_second").GetDouble());
                }

                var python2 = Median(peer);
                Console.WriteLine($"python peer (scikit-learn, 2 processes, scoring only): {python2:N0} files/s (rounds: {string.Join(" ", peer.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})");
                Console.WriteLine($"ratio: batch in process, linear {Median(results["linear"]) / python2:0.0}x the python peer; ML.NET engine {Median(results["ML.NET engine"]) / python2:0.0}x"
                    + (cliRate is { } rate ? $"; fathom predict as a process {rate / python2:0.0}x" : ""));
            }
            else
            {
                Console.WriteLine($"python peer: {python} not found (apt-get install python3-sklearn python3-joblib); skipped");
            }

            Console.WriteLine($"load average after: {LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>One thread, every file: where a review's time goes.</summary>
    private static void Breakdown(string files, SentimentModel mlnet, SentimentModel linear)
    {
        var paths = Directory.EnumerateFiles(files, "*.txt", SearchOption.AllDirectories).ToArray();
        var stopwatch = Stopwatch.StartNew();
        var texts = paths.Select(p => ReviewFolderReader.TryReadText(p, _ => { })!).ToArray();
        var read = stopwatch.Elapsed;
        stopwatch.Restart();
        var cleanedLength = texts.Sum(t => (long)ReviewCleaner.Clean(t).Length);
        var clean = stopwatch.Elapsed;
        // Warm both engines first so tiered JIT is not in the timed pass.
        foreach (var text in texts.Take(2_000))
        {
            mlnet.PredictProbability(text);
            linear.PredictProbability(text);
        }

        stopwatch.Restart();
        var sum = texts.Sum(t => (double)mlnet.PredictProbability(t));
        var engine = stopwatch.Elapsed;
        stopwatch.Restart();
        sum -= texts.Sum(t => (double)linear.PredictProbability(t));
        var direct = stopwatch.Elapsed;
        double PerReview(TimeSpan t) => t.TotalMicroseconds / texts.Length;
        Console.WriteLine($"one review, one thread (mean over {texts.Length:N0}, {texts.Average(t => t.Length):N0} chars, {cleanedLength / texts.Length:N0} after cleaning):");
        Console.WriteLine($"  read the file (open, read, strict UTF-8 decode): {PerReview(read),7:N1} us");
        Console.WriteLine($"  clean alone (ReviewCleaner, a string out):     {PerReview(clean),7:N1} us");
        Console.WriteLine($"  score, ML.NET prediction engine (pooled):      {PerReview(engine),7:N1} us  (cleaning included)");
        Console.WriteLine($"  score, direct linear scorer:                   {PerReview(direct),7:N1} us  (cleaning included; {PerReview(engine) / PerReview(direct):0.0}x less)");
        Console.WriteLine($"  sum of score differences over all reviews: {sum:E2}");
    }

    private static async Task<string> TrainAsync(string data, string work)
    {
        await using var tracking = TrackingClient.Open(Path.Combine(work, "store"));
        var stopwatch = Stopwatch.StartNew();
        var outcome = await TrainingWorkflow.RunAsync(tracking,
            new TrainingRequest(Path.Combine(data, "train.jsonl.gz"), null, "bench", new SentimentTrainingOptions()), null, CancellationToken.None);
        Console.WriteLine($"model: trained on train.jsonl.gz in {stopwatch.Elapsed.TotalSeconds:0.0} s (pass --model FOLDER to reuse one)");
        return await ModelLocator.LocateAsync(outcome.RunId, () => tracking, CancellationToken.None);
    }

    private static int WriteFiles(string data, string files)
    {
        var count = 0;
        foreach (var review in ReviewJsonlReader.Read(Path.Combine(data, "test.jsonl.gz"), _ => { }))
        {
            var folder = Path.Combine(files, review.Label == ReviewLabel.Positive ? "pos" : "neg");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"{review.Id}_{review.Rating}.txt"), review.Text);
            count++;
        }

        return count;
    }

    private static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"{program} exited {process.ExitCode}: {await stderr}");
    }

    private static string RepositoryFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository (Fathom.slnx) is not above the bench's output folder.");
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"check failed: {what}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
