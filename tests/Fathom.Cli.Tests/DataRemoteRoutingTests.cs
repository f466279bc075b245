using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// Per-output <c>remote:</c> and <c>push: false</c> in <c>.dvc</c> files and <c>dvc.yaml</c> outs, as DVC 3 routes them
/// (dvc/repo/fetch.py's outs_filter, dvc/repo/status.py's _cloud_status): push sends each output to its own remote and
/// skips <c>push: false</c>; <c>-r</c> leaves out outputs bound to another remote; fetch brings <c>push: false</c>
/// outputs too; <c>status -c</c> leaves them out and compares the rest with the one remote named.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataRemoteRoutingTests
{
    [Fact]
    public async Task DataPushFetch_OutputsWithRemoteAndPushFalse_GoWhereTheySay()
    {
        using var dir = new TempDirectory();
        var repo = dir.Combine("repo");
        Directory.CreateDirectory(repo);
        await Ok(repo, "data", "init");
        await Ok(repo, "data", "remote", "add", "-d", "main", "../store-main");
        await Ok(repo, "data", "remote", "add", "other", "../store-other");
        dir.WriteFile("repo/a.txt", "a");
        dir.WriteFile("repo/b.txt", "b");
        dir.WriteFile("repo/c.txt", "c");
        await Ok(repo, "data", "add", "a.txt", "b.txt", "c.txt");
        File.AppendAllText(Path.Combine(repo, "b.txt.dvc"), "  remote: other\n");
        File.AppendAllText(Path.Combine(repo, "c.txt.dvc"), "  push: false\n");
        File.WriteAllText(Path.Combine(repo, "dvc.yaml"),
            "stages:\n  make:\n    cmd: echo p > p.txt && echo q > q.txt\n    outs:\n    - p.txt:\n        remote: other\n    - q.txt:\n        push: false\n");
        await Ok(repo, "repro", "--no-track");

        var push = JsonDocument.Parse((await Ok(repo, "data", "push", "--json")).Stdout).RootElement;

        Assert.Equal(3, push.GetProperty("transferred").GetInt32());
        Assert.Equal(["a"], Stored(dir, "store-main"));
        Assert.Equal(["b", "p\n"], Stored(dir, "store-other"));
        // Against the default remote: b and p live elsewhere, so they count as new there; c and q are never pushed.
        var cloud = JsonDocument.Parse((await Ok(repo, "data", "status", "-c", "--json")).Stdout).RootElement;
        Assert.Equal(["b.txt:new", "p.txt:new"], cloud.EnumerateObject().Select(p => $"{p.Name}:{p.Value.GetString()}").Order(StringComparer.Ordinal));
        // -r main leaves out what belongs to 'other': only a is considered, and it is there.
        var toMain = JsonDocument.Parse((await Ok(repo, "data", "push", "-r", "main", "--json")).Stdout).RootElement;
        Assert.Equal((0, 1), (toMain.GetProperty("transferred").GetInt32(), toMain.GetProperty("skipped").GetInt32()));

        // push: false outputs are still fetched, from the remote they would use.
        foreach (var content in new[] { "c", "q\n" })
        {
            var md5 = Md5(content);
            var target = dir.Combine("store-main", "files", "md5", md5[..2], md5[2..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(repo, ".dvc", "cache", "files", "md5", md5[..2], md5[2..]), target);
        }

        Directory.Delete(Path.Combine(repo, ".dvc", "cache"), recursive: true);
        var fetch = JsonDocument.Parse((await Ok(repo, "data", "fetch", "--json")).Stdout).RootElement;
        Assert.Equal(5, fetch.GetProperty("transferred").GetInt32());
        foreach (var content in new[] { "a", "b", "c", "p\n", "q\n" })
        {
            Assert.True(File.Exists(Path.Combine(repo, ".dvc", "cache", "files", "md5", Md5(content)[..2], Md5(content)[2..])), content);
        }
    }

    /// <summary>The contents of a remote's objects, sorted.</summary>
    private static List<string> Stored(TempDirectory dir, string remote) =>
        [.. Directory.GetFiles(dir.Combine(remote), "*", SearchOption.AllDirectories).Select(File.ReadAllText).Order(StringComparer.Ordinal)];
}
