using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom data diff</c> in DVC's shapes: entries whose old version is not in the cache, <c>--hide-missing</c>, <c>--md</c> and JSON.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDiffTests
{
    [Fact]
    public async Task DataDiff_OldVersionsMissingFromCache_AreListedAsNotInCacheInEveryFormat()
    {
        using var dir = new TempDirectory();
        Git(dir.Path, "init", "-q");
        await Ok(dir.Path, "data", "init");
        Directory.CreateDirectory(dir.Combine("data"));
        File.WriteAllText(dir.Combine("data", "keep.txt"), "same");
        File.WriteAllText(dir.Combine("data", "edit.txt"), "old");
        File.WriteAllText(dir.Combine("data", "gone.txt"), "bye");
        await Ok(dir.Path, "data", "add", "data");
        CommitAll(dir.Path, "v1");
        Assert.Equal("{}", (await Ok(dir.Path, "data", "diff", "--json")).Stdout.Trim());

        File.WriteAllText(dir.Combine("data", "edit.txt"), "new");
        File.Delete(dir.Combine("data", "gone.txt"));
        // The old versions' objects leave the cache (as after gc or on a fresh clone); the folder's manifest stays.
        File.Delete(CacheObject(dir, Md5("old")));
        File.Delete(CacheObject(dir, Md5("bye")));

        var text = await Ok(dir.Path, "data", "diff");
        Assert.Equal(
            "Deleted:\n    data/gone.txt\n\nModified:\n    data/\n    data/edit.txt\n\nNot in cache:\n    data/edit.txt\n    data/gone.txt\n\nfiles summary: 1 deleted, 1 modified, 2 not in cache\n",
            text.Stdout);
        Assert.Equal(
            "Deleted:\n    data/gone.txt\n\nModified:\n    data/\n    data/edit.txt\n\nfiles summary: 1 deleted, 1 modified\n",
            (await Ok(dir.Path, "data", "diff", "--hide-missing")).Stdout);
        Assert.Equal(
            "| Status       | Path          |\n|--------------|---------------|\n| deleted      | data/gone.txt |\n| modified     | data/         |\n| modified     | data/edit.txt |\n| not in cache | data/edit.txt |\n| not in cache | data/gone.txt |\n\n",
            (await Ok(dir.Path, "data", "diff", "--md")).Stdout);

        var json = JsonDocument.Parse((await Ok(dir.Path, "data", "diff", "--json", "--show-hash")).Stdout).RootElement;
        Assert.Equal(["added", "deleted", "modified", "renamed", "not in cache"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            [("data/edit.txt", Md5("old")), ("data/gone.txt", Md5("bye"))],
            json.GetProperty("not in cache").EnumerateArray().Select(e => (e.GetProperty("path").GetString()!, e.GetProperty("hash").GetString()!)));
        var edit = json.GetProperty("modified").EnumerateArray().Single(e => e.GetProperty("path").GetString() == "data/edit.txt").GetProperty("hash");
        Assert.Equal((Md5("old"), Md5("new")), (edit.GetProperty("old").GetString(), edit.GetProperty("new").GetString()));
    }

    [Fact]
    public async Task DataDiff_Targets_OnlyEntriesAtOrUnderThem()
    {
        using var dir = new TempDirectory();
        Git(dir.Path, "init", "-q");
        await Ok(dir.Path, "data", "init");
        Directory.CreateDirectory(dir.Combine("data"));
        File.WriteAllText(dir.Combine("data", "edit.txt"), "old");
        File.WriteAllText(dir.Combine("data", "gone.txt"), "bye");
        File.WriteAllText(dir.Combine("model.bin"), "m1");
        await Ok(dir.Path, "data", "add", "data", "model.bin");
        CommitAll(dir.Path, "v1");
        File.WriteAllText(dir.Combine("data", "edit.txt"), "new");
        File.Delete(dir.Combine("data", "gone.txt"));
        File.WriteAllText(dir.Combine("model.bin"), "m2");

        Assert.Equal(
            "Modified:\n    data/edit.txt\n\nfiles summary: 1 modified\n",
            (await Ok(dir.Path, "data", "diff", "--targets", "data/edit.txt")).Stdout);
        Assert.Equal(
            "Deleted:\n    data/gone.txt\n\nModified:\n    data/\n    data/edit.txt\n    model.bin\n\nfiles summary: 1 deleted, 2 modified\n",
            (await Ok(dir.Path, "data", "diff", "--targets", "data", "model.bin")).Stdout);
        var json = JsonDocument.Parse((await Ok(dir.Path, "data", "diff", "--json", "--targets", "model.bin")).Stdout).RootElement;
        Assert.Equal(["model.bin"], json.GetProperty("modified").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
        Assert.Equal(0, json.GetProperty("deleted").GetArrayLength());
    }

    private static string CacheObject(TempDirectory dir, string md5) => dir.Combine(".dvc", "cache", "files", "md5", md5[..2], md5[2..]);

    private static string Md5(string text) =>
#pragma warning disable CA5351 // DVC's object ids are MD5
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
