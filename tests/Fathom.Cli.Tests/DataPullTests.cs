using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom data pull</c> and <c>checkout</c> as DVC's: pipeline outs recorded in <c>dvc.lock</c> come back too, and a
/// missing or corrupt object at the remote costs only the data that needs it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataPullTests
{
    [Fact]
    public async Task DataPull_AfterLosingCacheAndOuts_RestoresDvcLockOutsButNotUncachedOnes()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"),
            "stages:\n  build:\n    cmd: mkdir -p out && echo model > out/model.txt && echo log > out/log.txt && echo 0.9 > score.txt && echo one > one.txt\n" +
            "    outs:\n    - out\n    - one.txt\n    metrics:\n    - score.txt:\n        cache: false\n");
        await Ok(dir.Path, "repro", "--no-track");
        await Ok(dir.Path, "data", "remote", "add", "-d", "store", "store");
        var cloud = JsonDocument.Parse((await Ok(dir.Path, "data", "status", "-c", "--json")).Stdout).RootElement;
        Assert.Equal(["one.txt", "out", "out/log.txt", "out/model.txt"], cloud.EnumerateObject().Where(p => p.Value.GetString() == "new").Select(p => p.Name).Order(StringComparer.Ordinal));
        var push = JsonDocument.Parse((await Ok(dir.Path, "data", "push", "--json")).Stdout).RootElement;
        // out/ as a manifest and two files, and one.txt; score.txt is not cached, so not pushed.
        Assert.Equal(4, push.GetProperty("transferred").GetInt32());
        Assert.Contains("in sync", (await Ok(dir.Path, "data", "status", "-c")).Stdout, StringComparison.Ordinal);

        Directory.Delete(dir.Combine(".dvc", "cache"), recursive: true);
        Directory.Delete(dir.Combine("out"), recursive: true);
        File.Delete(dir.Combine("one.txt"));
        File.Delete(dir.Combine("score.txt"));
        var pull = await Ok(dir.Path, "data", "pull");

        Assert.Contains("A\tout/\n", pull.Stdout, StringComparison.Ordinal);
        Assert.Contains("A\tone.txt\n", pull.Stdout, StringComparison.Ordinal);
        Assert.Equal("model\n", File.ReadAllText(dir.Combine("out", "model.txt")));
        Assert.Equal("one\n", File.ReadAllText(dir.Combine("one.txt")));
        Assert.False(File.Exists(dir.Combine("score.txt")));

        // A stage's out path and a stage name are targets, as for dvc checkout.
        File.Delete(dir.Combine("one.txt"));
        Directory.Delete(dir.Combine("out"), recursive: true);
        var byPath = await Ok(dir.Path, "data", "checkout", "one.txt");
        Assert.Equal("A\tone.txt\n", byPath.Stdout);
        Assert.False(Directory.Exists(dir.Combine("out")));
        await Ok(dir.Path, "data", "checkout", "build");
        Assert.Equal("log\n", File.ReadAllText(dir.Combine("out", "log.txt")));
        var unknown = await FathomProcess.RunAsync(dir.Path, "data", "checkout", "nothing.txt");
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Contains("'nothing.txt' is not tracked", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataPull_CorruptAndMissingRemoteObjects_PullsTheRestReportsEachAndResumes()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("good.txt"), "good");
        Directory.CreateDirectory(dir.Combine("images"));
        File.WriteAllText(dir.Combine("images", "bad.txt"), "bad");
        File.WriteAllText(dir.Combine("images", "fine.txt"), "fine");
        File.WriteAllText(dir.Combine("gone.txt"), "gone");
        await Ok(dir.Path, "data", "add", "good.txt", "images", "gone.txt");
        await Ok(dir.Path, "data", "remote", "add", "-d", "store", "store");
        await Ok(dir.Path, "data", "push");
        var bad = RemoteObject(dir, "bad");
        File.SetUnixFileMode(bad, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(bad, "BAD");
        File.Move(RemoteObject(dir, "gone"), dir.Combine("gone.aside"));
        Directory.Delete(dir.Combine(".dvc", "cache"), recursive: true);
        Directory.Delete(dir.Combine("images"), recursive: true);
        File.Delete(dir.Combine("good.txt"));
        File.Delete(dir.Combine("gone.txt"));

        var pull = await FathomProcess.RunAsync(dir.Path, "data", "pull");

        Assert.Equal(ExitCodes.Failure, pull.ExitCode);
        Assert.Contains($"Missing cache files:\nname: gone.txt, md5: {Md5("gone")}\n", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains($"name: images/bad.txt, md5: {Md5("bad")}: '{bad}' is corrupt", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains("failed to pull data from the cloud - 2 files failed to download", pull.Stderr, StringComparison.Ordinal);
        // As DVC 3's pull: a failed download stops it before checkout, though what did arrive is in the cache.
        Assert.False(File.Exists(dir.Combine("good.txt")));
        Assert.True(File.Exists(dir.Combine(".dvc", "cache", "files", "md5", Md5("good")[..2], Md5("good")[2..])));
        // The corrupt bytes reached neither the cache nor the workspace.
        Assert.False(File.Exists(dir.Combine(".dvc", "cache", "files", "md5", Md5("bad")[..2], Md5("bad")[2..])));
        Assert.False(Directory.Exists(dir.Combine("images")));
        Assert.Empty(Directory.GetFiles(dir.Combine(".dvc", "cache"), "*.tmp", SearchOption.AllDirectories));

        // Repaired remote: a re-run fetches only the two that failed.
        File.WriteAllText(bad, "bad");
        File.Move(dir.Combine("gone.aside"), RemoteObject(dir, "gone"));
        var again = JsonDocument.Parse((await Ok(dir.Path, "data", "fetch", "--json")).Stdout).RootElement;
        Assert.Equal(2, again.GetProperty("transferred").GetInt32());
        Assert.Equal(0, again.GetProperty("failed").GetArrayLength());
        await Ok(dir.Path, "data", "checkout");
        Assert.Equal("good", File.ReadAllText(dir.Combine("good.txt")));
        Assert.Equal("bad", File.ReadAllText(dir.Combine("images", "bad.txt")));
        Assert.Equal("gone", File.ReadAllText(dir.Combine("gone.txt")));
    }

    private static string RemoteObject(TempDirectory dir, string content)
    {
        var md5 = Md5(content);
        return dir.Combine("store", "files", "md5", md5[..2], md5[2..]);
    }
}
