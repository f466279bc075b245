using System.Diagnostics;
using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class TrackingClientTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TrackingClient _client;

    public TrackingClientTests() => _client = TrackingClient.Open(_dir.Combine("store"));

    public void Dispose()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dir.Dispose();
    }

    [Fact]
    public async Task RunAsync_BodyReturns_RunIsFinishedWithEverythingLogged()
    {
        var runId = await _client.RunAsync("exp", async (run, ct) =>
        {
            run.LogParam("c", "0.5");
            run.SetTag("team", "nlp");
            for (var step = 0; step < 3; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            await Task.Yield();
            return run.RunId;
        }, new RunOptions { CaptureLineage = false });

        var stored = (await _client.Store.GetRunAsync(runId, default))!;
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.NotNull(stored.Info.EndTime);
        Assert.Equal("0.5", stored.Params.Single().Value);
        Assert.Equal("nlp", stored.GetTag("team"));
        Assert.Equal(3, (await _client.Store.GetMetricHistoryAsync(runId, "loss", default)).Count);
    }

    [Fact]
    public async Task StartRunAsync_WithAnExistingRunId_LogsIntoThatRunInItsExperiment()
    {
        // A launcher (fathom tune) makes the run and hands its id to the process, as MLflow's MLFLOW_RUN_ID does.
        var handed = await _client.RunAsync("tuning", (run, _) =>
        {
            run.LogParam("x", "1");
            return Task.FromResult(run.Info);
        }, new RunOptions { CaptureLineage = false });

        await _client.RunAsync("sentiment", (run, _) =>
        {
            Assert.Equal(handed.RunId, run.RunId);
            run.LogParam("x", "1");
            run.LogMetric("val_accuracy", 0.8);
            return Task.CompletedTask;
        }, new RunOptions { CaptureLineage = false, RunId = handed.RunId, Tags = new Dictionary<string, string> { ["stage"] = "train" } });

        var stored = (await _client.Store.GetRunAsync(handed.RunId, default))!;
        Assert.Equal((handed.ExperimentId, handed.RunName, RunStatus.Finished), (stored.Info.ExperimentId, stored.Info.RunName, stored.Info.Status));
        Assert.Equal(0.8, stored.Metrics.Single(m => m.Key == "val_accuracy").Value);
        Assert.Equal("train", stored.GetTag("stage"));
        Assert.Null(await _client.Store.GetExperimentByNameAsync("sentiment", default));
        var missing = await Assert.ThrowsAsync<TrackingException>(() => _client.StartRunAsync("x", new RunOptions { RunId = "0123456789abcdef0123456789abcdef" }));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
    }

    [Fact]
    public async Task RunAsync_BodyThrows_RunIsFailedWithTheError()
    {
        string? runId = null;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _client.RunAsync("exp", (run, _) =>
        {
            runId = run.RunId;
            throw new InvalidOperationException("out of memory for embeddings");
        }, new RunOptions { CaptureLineage = false }));

        var stored = (await _client.Store.GetRunAsync(runId!, default))!;
        Assert.Equal("out of memory for embeddings", error.Message);
        Assert.Equal(RunStatus.Failed, stored.Info.Status);
        Assert.Equal("InvalidOperationException: out of memory for embeddings", stored.GetTag(SystemTags.Error));
    }

    [Fact]
    public async Task LogParam_SameKeyOtherValue_ThrowsAtOnce()
    {
        await using var run = await _client.StartRunAsync("exp", new RunOptions { CaptureLineage = false });
        run.LogParam("lr", "0.1");

        var error = Assert.Throws<TrackingException>(() => run.LogParam("lr", "0.2"));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    // The SDK shortens a long value as the store does (MLflow's default), so the write-once check compares what is
    // stored: two long values alike in their first 6,000 characters are one param, as MLflow's store sees them.
    [Fact]
    public async Task LogParamAndSetTag_LongValues_AreStoredShortened()
    {
        string runId;
        await using (var run = await _client.StartRunAsync("exp", new RunOptions { CaptureLineage = false }))
        {
            runId = run.RunId;
            run.LogParam("prompt", new string('p', 6000) + "first");
            run.LogParam("prompt", new string('p', 6000) + "second");
            run.SetTag("note", new string('n', 9000));
        }

        var stored = (await _client.Store.GetRunAsync(runId, default))!;
        Assert.Equal(new string('p', 6000), stored.Params.Single().Value);
        Assert.Equal(8000, stored.GetTag("note")!.Length);
    }

    [Fact]
    public async Task StartRun_InGitRepoWithDataInput_RecordsLineage()
    {
        var repo = _dir.Combine("repo");
        Directory.CreateDirectory(repo);
        Git(repo, "init", "-q");
        _dir.WriteFile("repo/train.py", "print(1)");
        Git(repo, "add", ".");
        Git(repo, "-c", "user.email=a@b.c", "-c", "user.name=a", "commit", "-q", "-m", "init");
        _dir.WriteFile("repo/train.py", "print(2)"); // uncommitted change
        _dir.WriteFile("data/a.txt", "alpha");
        _dir.WriteFile("data/sub/b.txt", "beta");

        await using var run = await _client.StartRunAsync("exp", new RunOptions
        {
            WorkingDirectory = repo,
            DataInputs = new Dictionary<string, string> { ["train"] = _dir.Combine("data") },
        });
        var stored = (await _client.Store.GetRunAsync(run.RunId, default))!;

        Assert.Equal(Git(repo, "rev-parse", "HEAD"), stored.GetTag(SystemTags.GitCommit));
        Assert.Equal("true", stored.GetTag(SystemTags.GitDirty));
        Assert.Equal(Environment.UserName, stored.GetTag(SystemTags.User));
        Assert.Equal(Environment.MachineName, stored.GetTag(SystemTags.Host));
        Assert.NotNull(stored.GetTag(SystemTags.DotnetVersion));
        Assert.NotNull(stored.GetTag(SystemTags.Command));
        var hash = (await Fathom.Data.DvcHash.HashPathAsync(_dir.Combine("data"), default)).Md5;
        Assert.Equal(hash, stored.GetTag("fathom.data.train"));
        Assert.Equal(hash, Assert.Single(stored.Inputs).Dataset.Digest);
    }

    [Fact]
    public async Task LogArtifact_FileAndFolder_LandUnderRunArtifactsLikeMlflow()
    {
        _dir.WriteFile("out/model/MLmodel", "flavors: {}");
        _dir.WriteFile("out/model/sub/weights.bin", "0101");
        var report = _dir.WriteFile("out/report.txt", "ok");
        await using var run = await _client.StartRunAsync("exp", new RunOptions { CaptureLineage = false });

        await run.LogArtifactAsync(_dir.Combine("out", "model"), "model");
        await run.LogArtifactAsync(report);
        await run.LogArtifactAsync(report, "reports");

        var root = await run.Artifacts.ListAsync(null, default);
        var model = await run.Artifacts.ListAsync("model", default);
        Assert.Equal(["model", "report.txt", "reports"], root.Select(e => e.Path));
        Assert.Equal(["model/MLmodel", "model/sub"], model.Select(e => e.Path));
        Assert.Equal(2, root.Single(e => e.Path == "report.txt").FileSize);
        await using var stream = await run.Artifacts.OpenReadAsync("model/sub/weights.bin", default);
        Assert.Equal("0101", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task LogMetric_HundredThousandPoints_AllStored()
    {
        await using var run = await _client.StartRunAsync("exp", new RunOptions { CaptureLineage = false });
        for (var i = 0; i < 100_000; i++)
        {
            run.LogMetric("loss", 1.0 / (i + 1), i, timestamp: 1_700_000_000_000 + i);
        }

        await run.EndAsync();

        var history = await _client.Store.GetMetricHistoryAsync(run.RunId, "loss", default);
        Assert.Equal(100_000, history.Count);
        Assert.Equal(99_999, (await _client.Store.GetRunAsync(run.RunId, default))!.Metrics.Single().Step);
    }

    [Fact]
    public async Task Dispose_WithoutEnd_FinishesTheRun()
    {
        string runId;
        await using (var run = await _client.StartRunAsync("exp", new RunOptions { CaptureLineage = false }))
        {
            runId = run.RunId;
            run.LogMetric("m", 1);
        }

        var stored = (await _client.Store.GetRunAsync(runId, default))!;
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Single(stored.Metrics);
    }

    private static string Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)} failed: {p.StandardError.ReadToEnd()}");
        return output.Trim();
    }
}
