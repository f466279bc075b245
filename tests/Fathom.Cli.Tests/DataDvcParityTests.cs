using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// Where <c>fathom data</c> and DVC 3.64, run side by side on one repository, disagreed: the paths <c>status</c> prints
/// (DVC's <c>Stage.addressing</c> and <c>Output.__str__</c>, both relative to the current folder), a tracked empty
/// folder, and the mode of objects pushed to a folder remote (DVC's <c>LocalHashFileDB.protect</c>, 0444).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDvcParityTests
{
    [Fact]
    public async Task DataStatus_PathsFromTheCurrentFolder_AsDvcPrintsThem()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("data/many/a.txt", "a");
        dir.WriteFile("data/many/b.txt", "b");
        Directory.CreateDirectory(dir.Combine("other"));
        await Ok(dir.Path, "data", "add", "data/many");
        dir.WriteFile("data/many/a.txt", "changed");

        var root = await Ok(dir.Path, "data", "status", "--json");
        var inside = await Ok(dir.Combine("data"), "data", "status", "--json");
        var beside = await Ok(dir.Combine("other"), "data", "status", "--json");
        var text = await Ok(dir.Combine("data"), "data", "status");

        Assert.Equal("""{"data/many.dvc":[{"changed outs":{"data/many":"modified"}}]}""", Compact(root.Stdout));
        Assert.Equal("""{"many.dvc":[{"changed outs":{"many":"modified"}}]}""", Compact(inside.Stdout));
        Assert.Equal("""{"../data/many.dvc":[{"changed outs":{"../data/many":"modified"}}]}""", Compact(beside.Stdout));
        Assert.Equal("many.dvc:\n\tchanged outs:\n\t\tmodified:           many\n", text.Stdout);
    }

    [Fact]
    public async Task DataCheckout_TrackedEmptyFolder_IsCreated_AndStatusIsClean()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        Directory.CreateDirectory(dir.Combine("empty"));
        await Ok(dir.Path, "data", "add", "empty");
        Directory.Delete(dir.Combine("empty"));

        var checkout = await Ok(dir.Path, "data", "checkout");
        var status = await Ok(dir.Path, "data", "status");

        Assert.Contains("md5: d751713988987e9331980363e24189ce.dir\n", File.ReadAllText(dir.Combine("empty.dvc")), StringComparison.Ordinal);
        Assert.Equal("A\tempty/\n", checkout.Stdout);
        Assert.True(Directory.Exists(dir.Combine("empty")));
        Assert.Equal("Data and pipelines are up to date.", status.Stdout.Trim());
    }

    [Fact]
    public async Task DataPush_FolderRemote_ObjectsAreReadOnly_AsDvcProtectsThem()
    {
        using var dir = new TempDirectory();
        var repo = dir.Combine("repo");
        Directory.CreateDirectory(repo);
        await Ok(repo, "data", "init");
        dir.WriteFile("repo/images/a.txt", "a");
        dir.WriteFile("repo/model.bin", "model");
        await Ok(repo, "data", "add", "images", "model.bin");
        await Ok(repo, "data", "remote", "add", "-d", "local", "../store");

        await Ok(repo, "data", "push");

        var objects = Directory.GetFiles(dir.Combine("store"), "*", SearchOption.AllDirectories);
        Assert.Equal(3, objects.Length);
        Assert.All(objects, o => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(o)));
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
