using Fathom.Data;

namespace Fathom.Tests.Data;

/// <summary>
/// The Linux listing through readdir/statx must list a tracked folder exactly as the managed enumerator does — the same
/// files, sizes, times and order, since the stat cache fingerprints the listing — and fail the same way.
/// </summary>
public sealed class NativeFolderWalkTests
{
    [Theory]
    [InlineData("*.tmp\nlogs/\n")]
    [InlineData("/data/sub/skip.bin\n*.tmp\n")]
    [InlineData("")]
    public void ListFolder_LinksHiddenFilesAndIgnoreRules_SameAsManagedListing(string ignoreRules)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var temp = new TempDirectory();
        temp.WriteFile(".dvcignore", ignoreRules);
        temp.WriteFile("outside/target.txt", "outside the output");
        for (var i = 0; i < 40; i++)
        {
            temp.WriteFile($"data/{i % 3}/{i:D3}.bin", new string('x', i));
        }

        temp.WriteFile("data/top.txt", "top level");
        temp.WriteFile("data/.hidden", "hidden file");
        temp.WriteFile("data/.cache/inner.txt", "in a hidden folder");
        temp.WriteFile("data/a.tmp", "ignored by name");
        temp.WriteFile("data/sub/skip.bin", "ignored by an anchored rule");
        temp.WriteFile("data/sub/deeper/deepest/leaf.txt", "three levels down");
        temp.WriteFile("data/logs/today.log", "an ignored folder");
        Directory.CreateDirectory(temp.Combine("data", "empty"));
        File.CreateSymbolicLink(temp.Combine("data", "link-to-file"), temp.Combine("outside", "target.txt"));
        File.CreateSymbolicLink(temp.Combine("data", "sub", "dangling"), temp.Combine("nowhere"));
        Directory.CreateSymbolicLink(temp.Combine("data", "link-to-folder"), temp.Combine("outside"));
        File.SetLastWriteTimeUtc(temp.Combine("data", "top.txt"), new DateTime(2024, 2, 29, 12, 0, 0, 123, DateTimeKind.Utc).AddTicks(4567));

        var native = Listing(temp.Path, native: true);
        var managed = Listing(temp.Path, native: false);

        Assert.True(NativeFolderWalk.IsSupported);
        Assert.Equal(managed, native);
        Assert.Contains(native, f => f.StartsWith(".hidden|", StringComparison.Ordinal));
        Assert.Contains(native, f => f.StartsWith("sub/deeper/deepest/leaf.txt|", StringComparison.Ordinal));
        Assert.Equal(ignoreRules.Length == 0, native.Exists(f => f.StartsWith("a.tmp|", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("*.tmp\n")]
    [InlineData("/data/b/skip.bin\n")]
    public void RememberedFolderHash_StatCacheWrittenFromTheManagedListing_IsRecognisedByTheNativeOne(string ignoreRules)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Enough long names in one folder to take several getdents64 batches, names that are not ASCII, and nesting.
        using var temp = new TempDirectory();
        temp.WriteFile(".dvcignore", ignoreRules);
        for (var i = 0; i < 1500; i++)
        {
            temp.WriteFile($"data/many/{new string('n', 60)}-{i:D4}.bin", $"{i}");
        }

        temp.WriteFile("data/b/skip.bin", "ignored by the anchored rule");
        temp.WriteFile("data/b/x.tmp", "ignored by name");
        temp.WriteFile("data/b/c/d/é-ü-日本.txt", "not ASCII");
        temp.WriteFile("data/b/c2/leaf.txt", "a sibling folder");
        temp.WriteFile("data/top.txt", "top level");
        using var stat = StatCache.InMemory();
        var managed = new WorkspaceHasher(temp.Path, DvcIgnore.Load(temp.Path), stat, 2) { UseNativeListing = false };
        var native = new WorkspaceHasher(temp.Path, DvcIgnore.Load(temp.Path), stat, 2) { UseNativeListing = true };
        var single = new WorkspaceHasher(temp.Path, DvcIgnore.Load(temp.Path), stat, 1) { UseNativeListing = true };

        var hashed = managed.Hash(temp.Combine("data"), null, null, CancellationToken.None);

        Assert.Equal(1504, hashed.Hash.FileCount);
        Assert.Equal(hashed.Hash.Md5, native.RememberedFolderHash(temp.Combine("data")));
        Assert.Equal(hashed.Hash.Md5, single.RememberedFolderHash(temp.Combine("data")));
        File.AppendAllText(temp.Combine("data", "b", "c", "d", "é-ü-日本.txt"), " and changed");
        Assert.Null(native.RememberedFolderHash(temp.Combine("data")));
        Assert.Null(managed.RememberedFolderHash(temp.Combine("data")));
    }

    [Fact]
    public void ListFolder_DvcIgnoreInsideTheFolder_FailsAsTheManagedListingDoes()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("data/a.txt", "a");
        temp.WriteFile("data/inner/.dvcignore", "*.txt\n");

        var native = Assert.Throws<DataException>(() => Listing(temp.Path, native: true));
        var managed = Assert.Throws<DataException>(() => Listing(temp.Path, native: false));

        Assert.Equal(managed.Message, native.Message);
        Assert.Contains(".dvcignore inside a tracked folder", native.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListFolder_MissingFolder_FallsBackToTheManagedError()
    {
        using var temp = new TempDirectory();
        var hasher = new WorkspaceHasher(temp.Path, DvcIgnore.Load(temp.Path), StatCache.InMemory(), 2) { UseNativeListing = true };

        Assert.Throws<DirectoryNotFoundException>(() => hasher.ListFolder(temp.Combine("absent")));
    }

    private static List<string> Listing(string root, bool native)
    {
        var hasher = new WorkspaceHasher(root, DvcIgnore.Load(root), StatCache.InMemory(), 2) { UseNativeListing = native };
        return [.. hasher.ListFolder(Path.Combine(root, "data")).Select(f => $"{f.RelativePath}|{f.Size}|{f.MtimeTicks}")];
    }
}
