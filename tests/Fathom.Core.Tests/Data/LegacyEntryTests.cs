using System.Text;
using Fathom.Data;

namespace Fathom.Tests.Data;

/// <summary>Outputs recorded by DVC 2.x (no <c>hash: md5</c>, dos2unix md5s, objects in the cache's top-level layout) as DVC 3 treats them.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LegacyEntryTests
{
    private const string CrlfText = "a,b\r\n1,2\r\n";

    [Fact]
    public void LegacyMd5_CrlfText_HashesAsDos2Unix()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("text.csv", CrlfText);
        File.WriteAllBytes(dir.Combine("binary.bin"), [0, 13, 10, 1]);

        Assert.Equal(Md5("a,b\n1,2\n"), LegacyMd5.Hash(dir.Combine("text.csv")));
        Assert.Equal(Md5Bytes([0, 13, 10, 1]), LegacyMd5.Hash(dir.Combine("binary.bin")));
    }

    [Fact]
    public void LegacyFileEntry_Unchanged_IsCleanKeptOnCommitAndCheckedOutFromLegacyCache()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("data.csv", CrlfText);
        var legacy = Md5("a,b\n1,2\n");
        var dvcText = $"outs:\n- md5: {legacy}\n  size: 10\n  path: data.csv\n";
        dir.WriteFile("data.csv.dvc", dvcText);
        // DVC 2.x kept the raw bytes under the dos2unix hash, at the cache's top level.
        dir.WriteFile($".dvc/cache/{legacy[..2]}/{legacy[2..]}", CrlfText);
        var workspace = DataWorkspace.Open(dir.Path);

        Assert.Empty(workspace.Status([], dir.Path, default));
        Assert.False(workspace.Commit([], dir.Path, null, default).Single().Changed);
        Assert.Equal(dvcText, File.ReadAllText(dir.Combine("data.csv.dvc")));

        File.Delete(dir.Combine("data.csv"));
        Assert.Equal([new OutputStatus("data.csv.dvc", "data.csv", "deleted")], workspace.Status([], dir.Path, default));
        workspace.Checkout([], dir.Path, force: false, relink: false, null, default);
        Assert.Equal(CrlfText, File.ReadAllText(dir.Combine("data.csv")));

        dir.WriteFile("data.csv", "a,b\n3,4\n");
        Assert.Equal([new OutputStatus("data.csv.dvc", "data.csv", "modified")], workspace.Status([], dir.Path, default));
        workspace.Commit([], dir.Path, null, default);
        var md5 = Md5("a,b\n3,4\n");
        Assert.Equal($"outs:\n- md5: {md5}\n  size: 8\n  path: data.csv\n  hash: md5\n", File.ReadAllText(dir.Combine("data.csv.dvc")));
        Assert.True(File.Exists(dir.Combine(".dvc", "cache", "files", "md5", md5[..2], md5[2..])));
        Assert.Empty(workspace.Status([], dir.Path, default));
    }

    [Fact]
    public void LegacyFolderEntry_Unchanged_IsClean()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("docs/a.txt", "x\r\n");
        var manifest = DvcHash.DirectoryManifest([("a.txt", Md5("x\n"))]);
        var dirMd5 = Md5(manifest) + ".dir";
        dir.WriteFile("docs.dvc", $"outs:\n- md5: {dirMd5}\n  size: 3\n  nfiles: 1\n  path: docs\n");
        dir.WriteFile($".dvc/cache/{dirMd5[..2]}/{dirMd5[2..]}", manifest);
        var workspace = DataWorkspace.Open(dir.Path);
        Assert.Equal([new OutputStatus("docs.dvc", "docs", "not in cache")], workspace.Status([], dir.Path, default));
        var fileMd5 = Md5("x\n");
        dir.WriteFile($".dvc/cache/{fileMd5[..2]}/{fileMd5[2..]}", "x\r\n");
        File.Delete(dir.Combine(".dvc", "tmp", "fathom-state.bin"));

        Assert.Empty(workspace.Status([], dir.Path, default));
        Assert.Empty(workspace.Status([], dir.Path, default));
        dir.WriteFile("docs/a.txt", "y\r\n");
        Assert.Equal([new OutputStatus("docs.dvc", "docs", "modified")], workspace.Status([], dir.Path, default));
    }

    private static string Md5(string text) => Md5Bytes(Encoding.UTF8.GetBytes(text));

#pragma warning disable CA5351 // DVC's hash is MD5
    private static string Md5Bytes(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
#pragma warning restore CA5351
}
