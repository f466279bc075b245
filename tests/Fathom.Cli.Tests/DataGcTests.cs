using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom data gc</c> with DVC 3's scopes (<c>--rev/-n</c>, <c>--date</c>), <c>--dry</c>, <c>--not-in-remote</c>
/// and a cloud sweep of both remote layouts, over a git repository of several commits: nothing a kept revision
/// references ever goes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataGcTests
{
    [Fact]
    public async Task DataGc_RevNumAndDate_KeepWhatThoseCommitsReference()
    {
        using var dir = new TempDirectory();
        Git(dir.Path, "init", "-q");
        await Ok(dir.Path, "data", "init");
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            File.WriteAllText(dir.Combine("model.bin"), version);
            await Ok(dir.Path, "data", "add", "model.bin");
            CommitAll(dir.Path, $"model {version}");
        }

        File.WriteAllText(dir.Combine("model.bin"), "v4");
        await Ok(dir.Path, "data", "commit");

        var numAlone = await FathomProcess.RunAsync(dir.Path, "data", "gc", "-w", "-n", "2");
        Assert.Equal(ExitCodes.InvalidInput, numAlone.ExitCode);
        Assert.Contains("--num can only be used alongside --rev", numAlone.Stderr, StringComparison.Ordinal);

        // HEAD and HEAD~1 hold v3 and v2, the workspace v4: only v1 would go, and --dry leaves it there.
        var dry = await Ok(dir.Path, "data", "gc", "--rev", "HEAD", "-n", "2", "--dry");
        Assert.Equal("total 1 objects, 2 B reclaimed", dry.StdoutLines[0]);
        Assert.Equal("Type  OID             Size  Modified             Path", dry.StdoutLines[1]);
        Assert.StartsWith($"file  {Md5("v1")[..8]}", dry.StdoutLines[3], StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine(".dvc", "cache", "files", "md5", Md5("v1")[..2], Md5("v1")[2..]), dry.StdoutLines[3], StringComparison.Ordinal);
        Assert.Equal(4, CacheObjects(dir).Count);

        // Every commit was made today: an old --date keeps them all, a future one none of them.
        Assert.Empty(Removed(await Ok(dir.Path, "data", "gc", "--date", "2000-01-01", "--dry", "--json")));
        Assert.Equal(Sorted(Md5("v1"), Md5("v2"), Md5("v3")), Removed(await Ok(dir.Path, "data", "gc", "--date", "2999-01-01", "--dry", "--json")).Order(StringComparer.Ordinal));
        Assert.Equal(ExitCodes.InvalidInput, (await FathomProcess.RunAsync(dir.Path, "data", "gc", "--date", "01/02/2000")).ExitCode);

        var gc = await Ok(dir.Path, "data", "gc", "--rev", "HEAD~1", "-f", "--json");

        Assert.Equal(Sorted(Md5("v1"), Md5("v3")), Removed(gc).Order(StringComparer.Ordinal));
        Assert.Equal(Sorted(Md5("v2"), Md5("v4")), CacheObjects(dir).Order(StringComparer.Ordinal));
        Assert.Equal(ExitCodes.NotFound, (await FathomProcess.RunAsync(dir.Path, "data", "gc", "--rev", "no-such-branch")).ExitCode);
    }

    [Fact]
    public async Task DataGcCloud_SweepsUnreferencedObjectsOfBothRemoteLayouts_AndNotInRemoteTrimsTheCache()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("model.bin"), "v1");
        await Ok(dir.Path, "data", "add", "model.bin");
        await Ok(dir.Path, "data", "remote", "add", "-d", "store", "store");
        await Ok(dir.Path, "data", "push");
        File.WriteAllText(dir.Combine("model.bin"), "v2");
        await Ok(dir.Path, "data", "commit");
        await Ok(dir.Path, "data", "push");
        // A DVC 2.x output (no "hash: md5"), its object in the 2.x layouts of cache and remote, and a stale 2.x object.
        File.WriteAllText(dir.Combine("old.txt"), "old");
        File.WriteAllText(dir.Combine("old.txt.dvc"), $"outs:\n- md5: {Md5("old")}\n  size: 3\n  path: old.txt\n");
        WriteObject(dir.Combine(".dvc", "cache"), Md5("old"), "old");
        WriteObject(dir.Combine("store"), Md5("old"), "old");
        WriteObject(dir.Combine("store"), Md5("stale"), "stale");
        File.WriteAllText(dir.Combine("store", "README"), "not an object");

        var remoteOnly = await FathomProcess.RunAsync(dir.Path, "data", "gc", "-w", "-r", "store");
        Assert.Equal(ExitCodes.InvalidInput, remoteOnly.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, (await FathomProcess.RunAsync(dir.Path, "data", "gc", "-w", "-c", "--not-in-remote")).ExitCode);

        var dry = JsonDocument.Parse((await Ok(dir.Path, "data", "gc", "-w", "-c", "--dry", "--json")).Stdout).RootElement;
        Assert.Equal(
            [("cache", Md5("v1")), ("remote", Md5("stale")), ("remote", Md5("v1"))],
            dry.GetProperty("objects").EnumerateArray().Select(o => (o.GetProperty("where").GetString()!, o.GetProperty("oid").GetString()!)).OrderBy(o => o.Item1, StringComparer.Ordinal).ThenBy(o => o.Item2, StringComparer.Ordinal));
        Assert.True(File.Exists(RemoteObject(dir, Md5("v1"), legacy: false)));

        await Ok(dir.Path, "data", "gc", "-w", "-c");

        Assert.False(File.Exists(RemoteObject(dir, Md5("v1"), legacy: false)));
        Assert.False(File.Exists(RemoteObject(dir, Md5("stale"), legacy: true)));
        Assert.True(File.Exists(RemoteObject(dir, Md5("v2"), legacy: false)));
        Assert.True(File.Exists(RemoteObject(dir, Md5("old"), legacy: true)));
        Assert.True(File.Exists(dir.Combine("store", "README")));

        // The remote holds v2 and old.txt's object, so --not-in-remote lets both leave the cache; pull brings them back.
        var trimmed = JsonDocument.Parse((await Ok(dir.Path, "data", "gc", "-w", "--not-in-remote", "--json")).Stdout).RootElement;
        Assert.Equal(2, trimmed.GetProperty("cache_removed").GetInt32());
        Assert.Empty(CacheObjects(dir));
        File.Delete(dir.Combine("model.bin"));
        await Ok(dir.Path, "data", "pull");
        Assert.Equal("v2", File.ReadAllText(dir.Combine("model.bin")));
    }

    [Fact]
    public async Task DataGc_AllExperimentsAndProjects_KeepWhatExperimentRefsAndOtherRepositoriesReference()
    {
        using var dir = new TempDirectory();
        var main = dir.Combine("main");
        var other = dir.Combine("other");
        Directory.CreateDirectory(main);
        Directory.CreateDirectory(other);
        Git(main, "init", "-q");
        await Ok(main, "data", "init");
        File.WriteAllText(Path.Combine(main, "model.bin"), "v1");
        await Ok(main, "data", "add", "model.bin");
        CommitAll(main, "v1");
        // An experiment: a commit kept only by a ref under refs/exps/, as 'dvc exp' leaves them.
        File.WriteAllText(Path.Combine(main, "model.bin"), "exp");
        await Ok(main, "data", "add", "model.bin");
        CommitAll(main, "exp");
        Git(main, "update-ref", "refs/exps/ab/cdef0123/exp1", "HEAD");
        Git(main, "reset", "-q", "--hard", "HEAD~1");
        // Another repository sharing this cache (cache.dir is relative to its .dvc folder).
        Git(other, "init", "-q");
        await Ok(other, "data", "init");
        File.AppendAllText(Path.Combine(other, ".dvc", "config"), "[cache]\n    dir = ../../main/.dvc/cache\n");
        File.WriteAllText(Path.Combine(other, "table.csv"), "other");
        await Ok(other, "data", "add", "table.csv");

        Assert.Equal(Sorted(Md5("exp"), Md5("other")), Removed(await Ok(main, "data", "gc", "-w", "--dry", "--json")).Order(StringComparer.Ordinal));
        Assert.Equal([Md5("other")], Removed(await Ok(main, "data", "gc", "-w", "--all-experiments", "--dry", "--json")));
        var projectAlone = await FathomProcess.RunAsync(main, "data", "gc", "-p", "../other");
        Assert.Equal(ExitCodes.InvalidInput, projectAlone.ExitCode);
        Assert.Contains("--all-experiments", projectAlone.Stderr, StringComparison.Ordinal);

        Assert.Empty(Removed(await Ok(main, "data", "gc", "-w", "--all-experiments", "-p", "../other", "-j", "2", "-f", "--json")));
        var cache = Path.Combine(main, ".dvc", "cache", "files", "md5");
        Assert.Equal(Sorted(Md5("v1"), Md5("exp"), Md5("other")), Directory.GetFiles(cache, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(Path.GetDirectoryName(f)) + Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }

    private static IOrderedEnumerable<string> Sorted(params string[] ids) => ids.Order(StringComparer.Ordinal);

    private static List<string> Removed(CliResult result) =>
        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("oid").GetString()!).ToList();

    private static List<string> CacheObjects(TempDirectory dir)
    {
        var root = dir.Combine(".dvc", "cache");
        return Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !f.StartsWith("runs/", StringComparison.Ordinal))
            .Select(f => f.StartsWith("files/md5/", StringComparison.Ordinal) ? f["files/md5/".Length..] : f)
            .Select(f => f.Replace("/", "", StringComparison.Ordinal))
            .ToList();
    }

    private static string RemoteObject(TempDirectory dir, string md5, bool legacy) =>
        legacy ? dir.Combine("store", md5[..2], md5[2..]) : dir.Combine("store", "files", "md5", md5[..2], md5[2..]);

    private static void WriteObject(string root, string md5, string content)
    {
        Directory.CreateDirectory(Path.Combine(root, md5[..2]));
        File.WriteAllText(Path.Combine(root, md5[..2], md5[2..]), content);
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // DVC's object ids are MD5
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
