using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli.Tests;

public sealed class SentimentCommandsTests(TrainedRunFixture trained) : IClassFixture<TrainedRunFixture>
{
    [Fact]
    public async Task Train_SampleFolder_PrintsMetricsAndRunIdLastAndTracksEverything()
    {
        Assert.Matches("^[0-9a-f]{32}$", trained.RunId);
        Assert.Contains("accuracy", trained.Train.Stdout, StringComparison.Ordinal);

        var show = await FathomProcess.RunAsync(trained.Project, "runs", "show", trained.RunId, "--json");

        using var json = JsonDocument.Parse(show.Stdout);
        var run = json.RootElement.GetProperty("run");
        var metrics = run.GetProperty("data").GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("value").GetDouble());
        var parameters = run.GetProperty("data").GetProperty("params").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("value").GetString());
        var tags = run.GetProperty("data").GetProperty("tags").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("value").GetString());
        Assert.Equal("FINISHED", run.GetProperty("info").GetProperty("status").GetString());
        Assert.InRange(metrics["test_accuracy"], 0.7, 1.0);
        foreach (var key in new[] { "val_accuracy", "val_f1", "val_roc_auc", "val_log_loss", "test_f1", "test_roc_auc", "test_log_loss" })
        {
            Assert.True(metrics.ContainsKey(key), key);
        }

        Assert.Equal(900, metrics["n_train"]);
        Assert.Equal(400, metrics["n_test"]);
        Assert.Equal("7", parameters["seed"]);
        Assert.Equal("0.2", parameters["l2"]);
        Assert.EndsWith(".dir", tags["fathom.data.train"], StringComparison.Ordinal);
        Assert.Contains("model/MLmodel", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("model/model.zip", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_UnknownHyperparameter_ExitsInvalidInputListingKeys()
    {
        var result = await FathomProcess.RunAsync(trained.Project, "train", "--data", RepositorySamples.Imdb, "--set", "learning_rate=3");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("learning_rate", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("l2", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_NoReadableReviews_RunIsMarkedFailed()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("data", "pos"));
        Directory.CreateDirectory(dir.Combine("data", "neg"));

        var result = await FathomProcess.RunAsync(dir.Path, "train", "--data", dir.Combine("data"), "--experiment", "broken");
        var runs = await FathomProcess.RunAsync(dir.Path, "runs", "list", "-e", "broken", "--json");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("No readable reviews", result.Stderr, StringComparison.Ordinal);
        var run = JsonDocument.Parse(runs.Stdout).RootElement.GetProperty("runs")[0];
        Assert.Equal("FAILED", run.GetProperty("info").GetProperty("status").GetString());
        Assert.Contains(run.GetProperty("data").GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "fathom.error");
    }

    [Fact]
    public async Task Train_JsonlGz_TrainsFromJsonLines()
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("train.jsonl.gz");
        await using (var gz = new GZipStream(File.Create(file), CompressionLevel.Fastest))
        await using (var writer = new StreamWriter(gz, new UTF8Encoding(false)))
        {
            foreach (var path in Directory.EnumerateFiles(Path.Combine(RepositorySamples.Imdb, "train"), "*.txt", SearchOption.AllDirectories))
            {
                var name = Path.GetFileNameWithoutExtension(path).Split('_');
                var label = Path.GetFileName(Path.GetDirectoryName(path));
                await writer.WriteLineAsync(JsonSerializer.Serialize(new { id = int.Parse(name[0], System.Globalization.CultureInfo.InvariantCulture), rating = int.Parse(name[1], System.Globalization.CultureInfo.InvariantCulture), label, text = await File.ReadAllTextAsync(path) }));
            }
        }

        var result = await FathomProcess.RunAsync(dir.Path, "train", "--data", file, "--test", Path.Combine(RepositorySamples.Imdb, "test"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.InRange(json.GetProperty("metrics").GetProperty("test_accuracy").GetDouble(), 0.7, 1.0);
    }

    [Fact]
    public async Task Predict_FolderByRunId_WritesOneJsonLinePerFileAndReportsUnreadable()
    {
        using var dir = new TempDirectory();
        var input = Directory.CreateDirectory(dir.Combine("reviews", "nested")).Parent!.FullName;
        foreach (var path in Directory.EnumerateFiles(Path.Combine(RepositorySamples.Imdb, "test", "pos")).Take(30))
        {
            File.Copy(path, Path.Combine(input, "nested", Path.GetFileName(path)));
        }

        await File.WriteAllTextAsync(Path.Combine(input, "top.txt"), "An awful, boring film.");
        await File.WriteAllBytesAsync(Path.Combine(input, "broken.txt"), [0xff, 0xfe, 0xfd]);
        var output = dir.Combine("predictions.jsonl");

        var result = await FathomProcess.RunAsync(trained.Project, "predict", "--model", trained.RunId, "--input", input, "--output", output, "--recursive");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(31, lines.Length);
        Assert.Contains("broken.txt", result.Stderr, StringComparison.Ordinal);
        foreach (var line in lines)
        {
            var json = JsonDocument.Parse(line).RootElement;
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$", json.GetProperty("time").GetString());
            Assert.True(File.Exists(json.GetProperty("filepath").GetString()));
            var p = json.GetProperty("logit_prob").GetDouble();
            Assert.Equal(p > 0.5 ? "positive" : "negative", json.GetProperty("sentiment").GetString());
        }

        Assert.StartsWith("{\"time\": ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Predict_FolderHoldingAFifo_FinishesAndSaysItSkippedIt()
    {
        using var dir = new TempDirectory();
        var input = Directory.CreateDirectory(dir.Combine("reviews")).FullName;
        await File.WriteAllTextAsync(Path.Combine(input, "1_10.txt"), "A wonderful, moving film.");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(input, "pipe.txt")))
        {
            await mkfifo.WaitForExitAsync();
        }

        var result = await FathomProcess.RunAsync(trained.Project, new Dictionary<string, string> { ["COLUMNS"] = "10000" }, TimeSpan.FromMinutes(2),
            "predict", "--model", trained.RunId, "--input", input, "--output", dir.Combine("predictions.jsonl"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(await File.ReadAllLinesAsync(dir.Combine("predictions.jsonl")));
        Assert.Contains("1 file(s) skipped:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(input, "pipe.txt")}: not a regular file (a FIFO); skipped", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("raw/train/processed")]
    public async Task Prep_OutputThatIsOrIsInsideTheInput_ExitsInvalidInputWithOneLineAndLeavesTheRawReviews(string output)
    {
        using var dir = new TempDirectory();
        var raw = dir.Combine("raw");
        foreach (var path in Directory.EnumerateFiles(Path.Combine(RepositorySamples.Imdb, "train", "pos")).Take(5))
        {
            Directory.CreateDirectory(Path.Combine(raw, "train", "pos"));
            File.Copy(path, Path.Combine(raw, "train", "pos", Path.GetFileName(path)));
        }

        var before = Directory.GetFiles(raw, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);

        var result = await FathomProcess.RunAsync(dir.Path, new Dictionary<string, string> { ["COLUMNS"] = "10000" }, TimeSpan.FromMinutes(2), "prep", "-i", "raw", "-o", output);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"error: The output folder '{output}' ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(raw, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText));
    }

    [Fact]
    public async Task PredictAndEvaluate_RegistryUris_LoadTheVersionTheyName()
    {
        var name = "registry-uris-" + Guid.NewGuid().ToString("N")[..8];
        await CliSteps.Ok(trained.Project, "models", "register", trained.RunId, "model", "--name", name);
        await CliSteps.Ok(trained.Project, "models", "alias", name, "champion", "1");
        await CliSteps.Ok(trained.Project, "models", "stage", name, "1", "Production");
        using var dir = new TempDirectory();
        var input = Directory.CreateDirectory(dir.Combine("reviews")).FullName;
        await File.WriteAllTextAsync(Path.Combine(input, "1_10.txt"), "A wonderful, moving film. Brilliant and touching.");

        foreach (var uri in new[] { $"models:/{name}@champion", $"models:/{name}/1", $"models:/{name}/Production", $"models:/{name}/latest" })
        {
            var predicted = await CliSteps.Ok(trained.Project, "predict", "--model", uri, "--input", input);
            Assert.Contains("positive", predicted.Stdout, StringComparison.Ordinal);
        }

        var evaluated = await CliSteps.Ok(trained.Project, "evaluate", "--model", $"models:/{name}@champion", "--data", Path.Combine(RepositorySamples.Imdb, "test"), "--metrics", dir.Combine("metrics.json"));
        var missing = await FathomProcess.RunAsync(trained.Project, "predict", "--model", $"models:/{name}@nobody", "--input", input);

        Assert.True(File.Exists(dir.Combine("metrics.json")), evaluated.ToString());
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("nobody", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_NotRecursive_SkipsSubfoldersAndWritesToStdout()
    {
        var result = await FathomProcess.RunAsync(trained.Project, "predict", "--model", $"runs:/{trained.RunId}/model", "--input", Path.Combine(RepositorySamples.Imdb, "test"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.StdoutLines); // test/ has only sub-folders
    }

    [Fact]
    public async Task Predict_UnknownModel_ExitsNotFoundWithHint()
    {
        var result = await FathomProcess.RunAsync(trained.Project, "predict", "--model", "no-such-model", "--input", RepositorySamples.Imdb);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("give a model folder, a run id", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_MicroBatched_AnswersMlflowsProtocolWithTheModelsOwnInputExample()
    {
        var port = Loopback.FreePort();
        using var server = FathomProcess.Start(trained.Project, new Dictionary<string, string>(), "serve", "--model", $"runs:/{trained.RunId}/model",
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--micro-batch", "--micro-batch-wait-us", "500");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await Loopback.WaitForHealthAsync(http, server, TimeSpan.FromSeconds(30));
            using var ping = await http.GetAsync("/ping");
            // What "Try it" on /docs sends: the example saved in the model folder by `fathom train`.
            var openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi.json")).RootElement;
            var example = openApi.GetProperty("paths").GetProperty("/invocations").GetProperty("post").GetProperty("requestBody")
                .GetProperty("content").GetProperty("application/json").GetProperty("example").GetRawText();
            using var content = new StringContent(example, System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/invocations", content);
            var predictions = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions");
            var metrics = await http.GetStringAsync("/metrics");

            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            Assert.Contains("This movie was wonderful", example, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, predictions.GetArrayLength());
            Assert.Contains($"fathom_serving_model_info{{model_uuid=\"{trained.RunId}\"", metrics, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Serve_NegativeMicroBatchWait_ExitsInvalidNamingTheOption()
    {
        var result = await FathomProcess.RunAsync(trained.Project, "serve", "--model", $"runs:/{trained.RunId}/model", "--micro-batch-wait-us", "-1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--micro-batch-wait-us must be between 0 and 1000000", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ModelFromEnvironment_OnAnIpv4MappedHost_AnswersOverHttpAndStopsOnSigterm()
    {
        var port = Loopback.FreePort();
        var environment = new Dictionary<string, string> { ["PRED_MODEL_UUID"] = trained.RunId };
        // ::ffff:127.0.0.1 names 127.0.0.1; binding it as an IPv6 address fails on Linux.
        using var server = FathomProcess.Start(trained.Project, environment, "serve", "--host", "::ffff:127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var stdout = server.StandardOutput.ReadToEndAsync();
        var stderr = server.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await Loopback.WaitForHealthAsync(http, server, TimeSpan.FromSeconds(30));
            using var response = await http.PostAsJsonAsync("/api/v1/model/predict", new { reviews = new[] { new { id = 9176, text = "This movie is quite boring." } } });
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var version = JsonDocument.Parse(await http.GetStringAsync("/api/v1/model/version")).RootElement;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(9176, body.GetProperty("data")[0].GetProperty("review_id").GetInt32());
            Assert.Equal(trained.RunId, version.GetProperty("data").GetProperty("model_uuid").GetString());

            FathomProcess.Terminate(server);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(cts.Token);
            Assert.True(server.ExitCode is 0 or 130 or 143, $"exit {server.ExitCode}: {await stderr}");
            Assert.Contains($"127.0.0.1:{port}", await stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Predict_BrokenModelFolder_OneLineNamingTheFileAndWhatToGive()
    {
        var broken = Path.Combine(trained.Project, "broken-model");
        Directory.CreateDirectory(broken);
        await File.WriteAllTextAsync(Path.Combine(broken, "MLmodel"), "not a manifest");

        var result = await FathomProcess.RunAsync(trained.Project, "predict", "--model", broken, "--input", RepositorySamples.Imdb);

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("MLmodel", error, StringComparison.Ordinal);
        Assert.Contains("folder saved by `fathom train`", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_UnreachableTrackingServer_OneLineSayingWhatToCheck()
    {
        var result = await FathomProcess.RunAsync(trained.Project, "runs", "list", "--tracking-uri", $"http://127.0.0.1:{Loopback.FreePort()}");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: cannot reach the tracking server", error, StringComparison.Ordinal);
        Assert.Contains("--tracking-uri", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NoModel_ExitsInvalidInputNamingTheSettings()
    {
        var result = await FathomProcess.RunAsync(trained.Project, "serve");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PRED_MODEL_PATH", result.Stderr, StringComparison.Ordinal);
    }
}
