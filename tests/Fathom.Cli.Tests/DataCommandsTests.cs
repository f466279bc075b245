using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>The data commands run as a user runs them: a whole version-push-restore story, and gc.</summary>
public sealed class DataCommandsTests
{
    [Fact]
    public async Task Data_AddModifyCommitPushPull_RestoresIdenticalBytes()
    {
        using var dir = new TempDirectory();
        var repo = dir.Combine("repo");
        Directory.CreateDirectory(repo);
        await Ok(repo, "data", "init");
        Assert.True(File.Exists(Path.Combine(repo, ".dvc", "config")));
        Assert.Equal("/config.local\n/tmp\n/cache\n", File.ReadAllText(Path.Combine(repo, ".dvc", ".gitignore")));

        var files = new Dictionary<string, byte[]>
        {
            ["images/a.bin"] = [1, 2, 3],
            ["images/sub/b.txt"] = "hello\r\nworld\n"u8.ToArray(),
            ["images/c.txt"] = [],
        };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(repo, path))!);
            File.WriteAllBytes(Path.Combine(repo, path), bytes);
        }

        var add = await Ok(repo, "data", "add", "images");
        Assert.Contains("git add images.dvc .gitignore", add.Stdout, StringComparison.Ordinal);
        Assert.Matches("^outs:\n- md5: [0-9a-f]{32}\\.dir\n  size: 16\n  nfiles: 3\n  hash: md5\n  path: images\n$", File.ReadAllText(Path.Combine(repo, "images.dvc")));
        Assert.Equal("Data and pipelines are up to date.", (await Ok(repo, "data", "status")).Stdout.Trim());

        File.WriteAllText(Path.Combine(repo, "images", "c.txt"), "changed");
        files["images/c.txt"] = "changed"u8.ToArray();
        var status = await Ok(repo, "data", "status", "--json");
        Assert.Equal("modified", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("images.dvc")[0].GetProperty("changed outs").GetProperty("images").GetString());

        await Ok(repo, "data", "commit");
        Assert.Contains("size: 23\n", File.ReadAllText(Path.Combine(repo, "images.dvc")), StringComparison.Ordinal);
        await Ok(repo, "data", "remote", "add", "-d", "local", "../store");
        Assert.Equal("[core]\n    remote = local\n['remote \"local\"']\n    url = ../../store\n", File.ReadAllText(Path.Combine(repo, ".dvc", "config")));
        Assert.Equal("local\t../../store", (await Ok(repo, "data", "remote", "list")).Stdout.Trim());
        var push = await Ok(repo, "data", "push", "--json", "-j", "2");
        Assert.Equal(4, JsonDocument.Parse(push.Stdout).RootElement.GetProperty("transferred").GetInt32());
        Assert.Contains("in sync", (await Ok(repo, "data", "status", "--cloud")).Stdout, StringComparison.Ordinal);

        Directory.Delete(Path.Combine(repo, ".dvc", "cache"), recursive: true);
        Directory.Delete(Path.Combine(repo, "images"), recursive: true);
        var pull = await Ok(repo, "data", "pull");

        Assert.Contains("A\timages/\n", pull.Stdout, StringComparison.Ordinal);
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(repo, path)));
        }

        Assert.Equal("Data and pipelines are up to date.", (await Ok(repo, "data", "status")).Stdout.Trim());
    }

    [Fact]
    public async Task DataGc_AfterCommit_KeepsOnlyReferencedObjects()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("model.bin"), "v1");
        await Ok(dir.Path, "data", "add", "model.bin");
        File.WriteAllText(dir.Combine("model.bin"), "v2");
        await Ok(dir.Path, "data", "commit", "model.bin");

        var gc = await Ok(dir.Path, "data", "gc", "-w", "--json");

        Assert.Equal(1, JsonDocument.Parse(gc.Stdout).RootElement.GetProperty("cache_removed").GetInt32());
        var root = dir.Combine(".dvc", "cache", "files", "md5");
        var objects = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(o => Path.GetRelativePath(root, o).Replace(Path.DirectorySeparatorChar, '/'));
        Assert.Equal(["1b/267619c4812cc46ee281747884ca50"], objects);
        Assert.Equal(ExitCodes.InvalidInput, (await FathomProcess.RunAsync(dir.Path, "data", "gc")).ExitCode);
    }

    [Fact]
    public async Task DataStatus_MalformedDvcFile_NamesFileLineAndField()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("data.dvc"), "outs:\n- md5: a304afb96060aad90176268345e10355\n  size: -1\n  path: data\n");

        var result = await FathomProcess.RunAsync(dir.Path, "data", "status");

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("data.dvc:3: outs[0].size: expected a non-negative integer (got '-1').", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataAdd_AgainAfterChange_KeepsUserFieldsOfDvcFile()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("model.bin"), "v1");
        await Ok(dir.Path, "data", "add", "model.bin");
        var added = File.ReadAllText(dir.Combine("model.bin.dvc"));
        File.WriteAllText(dir.Combine("model.bin.dvc"), added + "  desc: the trained model\n  remote: models\n  push: false\nmeta:\n  owner: ana\n");

        File.WriteAllText(dir.Combine("model.bin"), "v2");
        await Ok(dir.Path, "data", "add", "model.bin");

        // md5 of "v2"; everything the user wrote stays where it was.
        Assert.Equal(
            "outs:\n- md5: 1b267619c4812cc46ee281747884ca50\n  size: 2\n  hash: md5\n  path: model.bin\n  desc: the trained model\n  remote: models\n  push: false\nmeta:\n  owner: ana\n",
            File.ReadAllText(dir.Combine("model.bin.dvc")));
    }

    [Fact]
    public async Task DataGc_GitScopes_KeepWhatOtherRevisionsReference()
    {
        using var dir = new TempDirectory();
        Git(dir.Path, "init", "-q");
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("model.bin"), "v1");
        await Ok(dir.Path, "data", "add", "model.bin");
        Git(dir.Path, "add", "-A");
        Git(dir.Path, "commit", "-q", "-m", "model v1");
        Git(dir.Path, "tag", "v1");
        File.WriteAllText(dir.Combine("model.bin"), "v2");
        await Ok(dir.Path, "data", "commit", "model.bin");

        // v1 is referenced by the tagged commit only; the workspace references v2.
        foreach (var scope in new[] { "--all-commits", "-T", "-a" })
        {
            var kept = await Ok(dir.Path, "data", "gc", scope, "--json");
            Assert.Equal(0, JsonDocument.Parse(kept.Stdout).RootElement.GetProperty("cache_removed").GetInt32());
        }

        var removed = await Ok(dir.Path, "data", "gc", "-w", "--json");
        Assert.Equal(1, JsonDocument.Parse(removed.Stdout).RootElement.GetProperty("cache_removed").GetInt32());
    }

    [Fact]
    public async Task DataDiff_AgainstHeadAndBetweenRevisions_ListsChangedFilesInDvcShape()
    {
        using var dir = new TempDirectory();
        Git(dir.Path, "init", "-q");
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine(".dvcignore"), "");
        Directory.CreateDirectory(dir.Combine("data"));
        File.WriteAllText(dir.Combine("data", "keep.txt"), "same");
        File.WriteAllText(dir.Combine("data", "edit.txt"), "old");
        File.WriteAllText(dir.Combine("data", "gone.txt"), "bye");
        File.WriteAllText(dir.Combine("data", "move.txt"), "moving");
        await Ok(dir.Path, "data", "add", "data");
        Git(dir.Path, "add", "-A");
        Git(dir.Path, "commit", "-q", "-m", "v1");

        File.WriteAllText(dir.Combine("data", "edit.txt"), "new");
        File.Delete(dir.Combine("data", "gone.txt"));
        File.Move(dir.Combine("data", "move.txt"), dir.Combine("data", "moved.txt"));
        File.WriteAllText(dir.Combine("data", "fresh.txt"), "hi");

        var text = await Ok(dir.Path, "data", "diff");
        Assert.Equal(
            "Added:\n    data/fresh.txt\n\nDeleted:\n    data/gone.txt\n\nRenamed:\n    data/move.txt -> data/moved.txt\n\nModified:\n    data/\n    data/edit.txt\n\nfiles summary: 1 added, 1 deleted, 1 renamed, 1 modified\n",
            text.Stdout.ReplaceLineEndings("\n"));

        await Ok(dir.Path, "data", "commit");
        Git(dir.Path, "commit", "-q", "-am", "v2");
        var json = JsonDocument.Parse((await Ok(dir.Path, "data", "diff", "HEAD~1", "HEAD", "--json")).Stdout).RootElement;
        Assert.Equal("data/fresh.txt", json.GetProperty("added")[0].GetProperty("path").GetString());
        Assert.Equal("data/gone.txt", json.GetProperty("deleted")[0].GetProperty("path").GetString());
        Assert.Equal("data/moved.txt", json.GetProperty("renamed")[0].GetProperty("path").GetProperty("new").GetString());
        Assert.Equal(["data/", "data/edit.txt"], json.GetProperty("modified").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
        // Between two revisions DVC leaves "not in cache" out.
        Assert.False(json.TryGetProperty("not in cache", out _));
        Assert.Equal("", (await Ok(dir.Path, "data", "diff")).Stdout);
    }
}
