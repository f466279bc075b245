using System.Text;
using Fathom.Data;

namespace Fathom.Tests.Data;

/// <summary>
/// Outputs recorded by DVC 2.x (no <c>hash: md5</c>) travel in the remote's 2.x layout, <c>ab/cdef…</c> right under its
/// root, as DVC 3 pushes and pulls them; 3.x outputs in the same repository keep using <c>files/md5/</c>.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LegacyRemoteTests
{
    private const string CrlfText = "id,label\r\n1,pos\r\n";

    [Fact]
    public async Task Pull_RemoteInDvc2Layout_RestoresLegacyFileAndFolderBesideA3xOutput()
    {
        using var dir = new TempDirectory();
        var store = dir.Combine("store");
        // What DVC 2.x pushed: raw bytes under the dos2unix md5, the folder manifest under its plain md5 + ".dir".
        var fileMd5 = Md5("id,label\n1,pos\n");
        var imageMd5 = Md5("img");
        var manifest = DvcHash.DirectoryManifest([("a.png", imageMd5)]);
        var dirMd5 = Md5(manifest) + ".dir";
        WriteObject(store, fileMd5, CrlfText);
        WriteObject(store, imageMd5, "img");
        WriteObject(store, dirMd5, manifest);
        // And a 3.x output pushed by DVC 3 into the same remote.
        var modelMd5 = Md5("weights");
        WriteObject(Path.Combine(store, "files", "md5"), modelMd5, "weights");

        var repo = dir.Combine("repo");
        DvcRepository.Init(repo, force: false);
        File.WriteAllText(Path.Combine(repo, "labels.csv.dvc"), $"outs:\n- md5: {fileMd5}\n  size: 17\n  path: labels.csv\n");
        File.WriteAllText(Path.Combine(repo, "images.dvc"), $"outs:\n- md5: {dirMd5}\n  size: 3\n  nfiles: 1\n  path: images\n");
        File.WriteAllText(Path.Combine(repo, "model.bin.dvc"), $"outs:\n- md5: {modelMd5}\n  size: 7\n  hash: md5\n  path: model.bin\n");
        DataWorkspace.Open(repo).AddRemote("store", store, makeDefault: true, force: false, repo);
        var workspace = DataWorkspace.Open(repo);

        var (fetched, checkout) = await workspace.PullAsync([], repo, null, force: false, null, default);

        Assert.Equal(4, fetched.Transferred);
        Assert.Empty(fetched.Missing);
        Assert.Empty(checkout.Failed);
        Assert.Equal(CrlfText, File.ReadAllText(Path.Combine(repo, "labels.csv")));
        Assert.Equal("img", File.ReadAllText(Path.Combine(repo, "images", "a.png")));
        Assert.Equal("weights", File.ReadAllText(Path.Combine(repo, "model.bin")));
        // Legacy objects land in the cache's 2.x layout, where checkout and status look for them.
        Assert.True(File.Exists(Path.Combine(repo, ".dvc", "cache", fileMd5[..2], fileMd5[2..])));
        Assert.True(File.Exists(Path.Combine(repo, ".dvc", "cache", dirMd5[..2], dirMd5[2..])));
        Assert.Empty(workspace.Status([], repo, default));
        Assert.Empty(await workspace.CloudStatusAsync([], repo, null, default));
    }

    [Fact]
    public async Task Push_LegacyAnd3xOutputs_EachGoesToItsOwnLayoutAndAnEmptyRemoteReportsThemNew()
    {
        using var dir = new TempDirectory();
        var repo = dir.Path;
        DvcRepository.Init(repo, force: false);
        var legacyMd5 = Md5("id,label\n1,pos\n");
        dir.WriteFile("labels.csv", CrlfText);
        dir.WriteFile("labels.csv.dvc", $"outs:\n- md5: {legacyMd5}\n  size: 17\n  path: labels.csv\n");
        dir.WriteFile($".dvc/cache/{legacyMd5[..2]}/{legacyMd5[2..]}", CrlfText);
        dir.WriteFile("model.bin", "weights");
        var workspace = DataWorkspace.Open(repo);
        workspace.Add(["model.bin"], repo, null, default);
        workspace.AddRemote("store", "store", makeDefault: true, force: false, repo);
        workspace = DataWorkspace.Open(repo);
        Assert.Equal(["new", "new"], (await workspace.CloudStatusAsync([], repo, null, default)).Select(s => s.State));

        var pushed = await workspace.PushAsync([], repo, null, null, default);

        Assert.Equal(2, pushed.Transferred);
        var modelMd5 = Md5("weights");
        Assert.Equal(CrlfText, File.ReadAllText(dir.Combine("store", legacyMd5[..2], legacyMd5[2..])));
        Assert.Equal("weights", File.ReadAllText(dir.Combine("store", "files", "md5", modelMd5[..2], modelMd5[2..])));
        Assert.False(File.Exists(dir.Combine("store", "files", "md5", legacyMd5[..2], legacyMd5[2..])));
        Assert.Equal(2, (await workspace.PushAsync([], repo, null, null, default)).Skipped);
        Assert.Empty(await workspace.CloudStatusAsync([], repo, null, default));
    }

    [Fact]
    public async Task Pull_CorruptObjectOnRemote_IsReportedAndReachesNeitherCacheNorWorkspace()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("images/a.txt", "a");
        dir.WriteFile("images/b.txt", "b");
        var workspace = DataWorkspace.Open(dir.Path);
        workspace.Add(["images"], dir.Path, null, default);
        workspace.AddRemote("store", "store", makeDefault: true, force: false, dir.Path);
        workspace = DataWorkspace.Open(dir.Path);
        await workspace.PushAsync([], dir.Path, null, null, default);
        var md5 = Md5("b");
        var remoteObject = dir.Combine("store", "files", "md5", md5[..2], md5[2..]);
        File.SetUnixFileMode(remoteObject, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(remoteObject, "B");
        Directory.Delete(dir.Combine(".dvc", "cache"), recursive: true);
        Directory.Delete(dir.Combine("images"), recursive: true);

        var (failedFetch, failedCheckout) = await workspace.PullAsync([], dir.Path, null, force: false, null, default);

        Assert.Contains($"'{remoteObject}' is corrupt", Assert.Single(failedFetch.Failed).Reason, StringComparison.Ordinal);
        // The failed fetch stops the pull before checkout, as in DVC 3.
        Assert.Empty(failedCheckout.Failed);
        Assert.Empty(failedCheckout.Added);
        Assert.False(workspace.Repository.Cache.Contains(md5));
        Assert.False(File.Exists(dir.Combine("images", "b.txt")));
        Assert.Empty(Directory.GetFiles(dir.Combine(".dvc", "cache"), "*.tmp", SearchOption.AllDirectories));

        // Once the remote holds the right bytes again, a re-run fetches only what is still missing.
        File.WriteAllText(remoteObject, "b");
        var (fetched, _) = await workspace.PullAsync([], dir.Path, null, force: false, null, default);
        Assert.Equal("b", File.ReadAllText(dir.Combine("images", "b.txt")));
        Assert.InRange(fetched.Transferred, 1, 2);
    }

    private static void WriteObject(string root, string md5, string content)
    {
        var path = Path.Combine(root, md5[..2], md5[2..]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // DVC's hash is MD5
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
