using Fathom.Data;

namespace Fathom.Tests.Data;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataWorkspaceTests
{
    [Fact]
    public void Add_Folder_StoresManifestAndFilesInDvc3CacheLayout()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("images/cat.jpeg", "cat");
        dir.WriteFile("images/sub/dog.jpeg", "dog");
        dir.WriteFile(".dvcignore", "*.tmp\n");
        dir.WriteFile("images/skip.tmp", "ignored");
        var workspace = DataWorkspace.Open(dir.Path);

        var result = workspace.Add(["images"], dir.Path, null, default);

        var hash = result.Outputs.Single().Hash;
        Assert.Equal(2, hash.FileCount);
        Assert.Equal(6, hash.Size);
        var dirObject = dir.Combine(".dvc", "cache", "files", "md5", hash.Md5[..2], hash.Md5[2..]);
        var manifest = File.ReadAllText(dirObject);
        Assert.Equal(DvcHash.DirectoryManifest([("cat.jpeg", "d077f244def8a70e5ea758bd8352fcd8"), ("sub/dog.jpeg", "06d80eb0c50b49a509b49f2424e8c805")]), manifest);
        Assert.True(File.Exists(dir.Combine(".dvc", "cache", "files", "md5", "d0", "77f244def8a70e5ea758bd8352fcd8")));
        Assert.Equal($"outs:\n- md5: {hash.Md5}\n  size: 6\n  nfiles: 2\n  hash: md5\n  path: images\n", File.ReadAllText(dir.Combine("images.dvc")));
        Assert.Equal("/images\n", File.ReadAllText(dir.Combine(".gitignore")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(dirObject));
    }

    [Fact]
    public void Status_AfterEdit_ReportsModifiedThenCleanAfterCommit()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("data.csv", "a,b\n");
        var workspace = DataWorkspace.Open(dir.Path);
        workspace.Add(["data.csv"], dir.Path, null, default);
        Assert.Empty(workspace.Status([], dir.Path, default));

        File.AppendAllText(dir.Combine("data.csv"), "1,2\n");

        Assert.Equal([new OutputStatus("data.csv.dvc", "data.csv", "modified")], workspace.Status([], dir.Path, default));
        workspace.Commit([], dir.Path, null, default);
        Assert.Empty(workspace.Status([], dir.Path, default));
    }

    [Fact]
    public void Status_FolderRememberedByListing_SeesAddedEditedAndRemovedFiles()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("images/a.txt", "a");
        dir.WriteFile("images/sub/b.txt", "b");
        var workspace = DataWorkspace.Open(dir.Path);
        workspace.Add(["images"], dir.Path, null, default);
        var modified = new OutputStatus("images.dvc", "images", "modified");

        // Each state is asked twice: once hashed, once answered from the remembered listing alone.
        for (var i = 0; i < 2; i++)
        {
            Assert.Empty(workspace.Status([], dir.Path, default));
        }

        dir.WriteFile("images/sub/new.txt", "new");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal([modified], workspace.Status([], dir.Path, default));
        }

        File.Delete(dir.Combine("images", "sub", "new.txt"));
        Assert.Empty(workspace.Status([], dir.Path, default));
        dir.WriteFile("images/sub/b.txt", "B");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal([modified], workspace.Status([], dir.Path, default));
        }

        Directory.Delete(dir.Combine(".dvc", "cache"), recursive: true);
        dir.WriteFile("images/sub/b.txt", "b");
        Assert.Equal([new OutputStatus("images.dvc", "images", "not in cache")], workspace.Status([], dir.Path, default));
        Assert.Equal([new OutputStatus("images.dvc", "images", "not in cache")], workspace.Status([], dir.Path, default));
    }

    [Fact]
    public void Add_LargeFile_IsHashedWhileCopiedIntoCache()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        var bytes = new byte[(3 << 20) + 17];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(dir.Combine("big.bin"), bytes);
#pragma warning disable CA5351 // DVC's hash is MD5
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
#pragma warning restore CA5351

        var result = DataWorkspace.Open(dir.Path).Add(["big.bin"], dir.Path, null, default);

        Assert.Equal(md5, result.Outputs.Single().Hash.Md5);
        Assert.Equal(bytes, File.ReadAllBytes(dir.Combine(".dvc", "cache", "files", "md5", md5[..2], md5[2..])));
        Assert.Empty(Directory.GetFiles(dir.Combine(".dvc", "cache", "files", "md5"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Fetch_CorruptRemoteObject_IsRejectedAndNotCached()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("a.txt", "hello");
        var workspace = DataWorkspace.Open(dir.Path);
        workspace.Add(["a.txt"], dir.Path, null, default);
        workspace.AddRemote("store", "store", makeDefault: true, force: false, dir.Path);
        workspace = DataWorkspace.Open(dir.Path);
        await workspace.PushAsync([], dir.Path, null, null, default);
        var md5 = "5d41402abc4b2a76b9719d911017c592";
        var remoteObject = dir.Combine("store", "files", "md5", md5[..2], md5[2..]);
        File.SetUnixFileMode(remoteObject, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(remoteObject, "HELLO");
        workspace.Repository.Cache.Remove(md5);

        var fetched = await workspace.FetchAsync([], dir.Path, null, null, default);

        var failed = Assert.Single(fetched.Failed);
        Assert.Equal((md5, "a.txt"), (failed.Md5, failed.Path));
        Assert.Contains("corrupt", failed.Reason, StringComparison.Ordinal);
        Assert.False(workspace.Repository.Cache.Contains(md5));
        Assert.Empty(Directory.GetFiles(dir.Combine(".dvc", "cache"), "*.tmp", SearchOption.AllDirectories));
    }
}
