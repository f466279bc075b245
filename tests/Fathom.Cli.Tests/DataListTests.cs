using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom data ls</c> as DVC 3's <c>dvc ls</c> (dvc/repo/ls.py, dvc/commands/ls): git and DVC files merged, outputs
/// marked, tracked folders expanded from their manifests with <c>-R</c>, DVC's JSON fields and order, its colors and
/// size/hash table, its error for a missing path, and a git URL listed from a shallow clone.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataListTests
{
    private static readonly Dictionary<string, string> DefaultColors = new() { ["LS_COLORS"] = "" };

    [Fact]
    public async Task DataLs_RepositoryWithTrackedFolderAndFile_ListsAsDvcDoes()
    {
        using var dir = new TempDirectory();
        Git(dir.Path, "init", "-q");
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("images/a.txt", "a");
        dir.WriteFile("images/sub/b.txt", "bb");
        dir.WriteFile("data.csv", "hello");
        dir.WriteFile("README.md", "# readme\n");
        File.SetUnixFileMode(dir.WriteFile("run.sh", "x"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await Ok(dir.Path, "data", "add", "images", "data.csv");
        var imagesMd5 = File.ReadAllLines(dir.Combine("images.dvc"))[1]["- md5: ".Length..];

        var top = await Run(dir.Path, "data", "ls", ".");
        Assert.Equal(".dvcignore\n.gitignore\nREADME.md\ndata.csv\ndata.csv.dvc\n\u001b[01;34mimages\u001b[0m\nimages.dvc\n\u001b[01;32mrun.sh\u001b[0m\n", top.Stdout);

        // --dvc-only sees the metafiles only: sizes as recorded there, none for files inside a folder (its manifest has none).
        var tracked = await Run(dir.Path, "data", "ls", ".", "-R", "--dvc-only", "--json");
        Assert.Equal(
            $"[{Entry(true, false, 5, Md5("hello"), "data.csv")}, {Entry(true, false, null, Md5("a"), "images/a.txt")}, {Entry(true, false, null, Md5("bb"), "images/sub/b.txt")}]\n",
            tracked.Stdout);
        var table = await Run(dir.Path, "data", "ls", ".", "-R", "--dvc-only", "--size", "--show-hash");
        Assert.Equal($"5  {Md5("hello")}  data.csv\n   {Md5("a")}  images/a.txt\n   {Md5("bb")}  images/sub/b.txt\n", table.Stdout);
        var level = await Run(dir.Path, "data", "ls", ".", "-R", "-L", "1", "--dvc-only", "--json");
        Assert.Equal($"[{Entry(true, false, 5, Md5("hello"), "data.csv")}, {Entry(true, true, 3, imagesMd5, "images")}]\n", level.Stdout);

        // Inside a tracked folder the workspace gives the sizes, the manifest the md5s.
        var inside = await Run(dir.Path, "data", "ls", ".", "images", "-R", "--json");
        Assert.Equal($"[{Entry(true, false, 1, Md5("a"), "a.txt")}, {Entry(true, false, 2, Md5("bb"), "sub/b.txt")}]\n", inside.Stdout);
        var all = JsonDocument.Parse((await Run(dir.Path, "data", "ls", ".", "-R", "--json")).Stdout).RootElement;
        Assert.Equal(
            [".dvcignore:False", ".gitignore:False", "README.md:False", "data.csv:True", "data.csv.dvc:False", "images.dvc:False", "images/a.txt:True", "images/sub/b.txt:True", "run.sh:False"],
            all.EnumerateArray().Select(e => $"{e.GetProperty("path").GetString()}:{e.GetProperty("isout").GetBoolean()}"));

        var missing = await FathomProcess.RunAsync(dir.Path, DefaultColors, TimeSpan.FromMinutes(2), "data", "ls", ".", "nope");
        Assert.Equal((ExitCodes.Failure, "ERROR: [Errno 2] No such file or directory: 'nope'\n"), (missing.ExitCode, missing.Stderr));

        // A git URL: listed from a shallow clone, where the data is not checked out, so the .dvc files describe it.
        CommitAll(dir.Path, "data");
        var remote = JsonDocument.Parse((await Run(dir.Path, "data", "ls", new Uri(dir.Path).AbsoluteUri, "--json")).Stdout).RootElement;
        var images = remote.EnumerateArray().Single(e => e.GetProperty("path").GetString() == "images");
        Assert.Equal((true, true, 3, imagesMd5), (images.GetProperty("isout").GetBoolean(), images.GetProperty("isdir").GetBoolean(), images.GetProperty("size").GetInt32(), images.GetProperty("md5").GetString()));
        Assert.Contains(remote.EnumerateArray(), e => e.GetProperty("path").GetString() == "README.md" && !e.GetProperty("isout").GetBoolean());
    }

    private static async Task<CliResult> Run(string workingDirectory, params string[] args)
    {
        var result = await FathomProcess.RunAsync(workingDirectory, DefaultColors, TimeSpan.FromMinutes(2), args);
        Assert.True(result.ExitCode == 0, $"fathom {string.Join(' ', args)}: {result}");
        return result;
    }

    private static string Entry(bool isOut, bool isDir, long? size, string md5, string path) =>
        $"{{\"isout\": {(isOut ? "true" : "false")}, \"isdir\": {(isDir ? "true" : "false")}, \"isexec\": false, \"size\": {(size is null ? "null" : size.ToString())}, \"md5\": \"{md5}\", \"path\": \"{path}\"}}";
}
