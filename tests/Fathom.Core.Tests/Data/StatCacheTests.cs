using Fathom.Data;

namespace Fathom.Tests.Data;

/// <summary>
/// The stat cache reads its folder section at open and its per-file section only when a file is looked up; both must
/// come back as written, however long the folder section, and from the file that was opened.
/// </summary>
public sealed class StatCacheTests
{
    [Fact]
    public void Open_FolderSectionLongerThanTheFirstRead_EveryFolderAndFileComesBack()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine(".dvc", "tmp", "fathom-state.bin");
        using (var cache = StatCache.Open(path))
        {
            // About 200 KB of folder entries: more than is read at open.
            for (var i = 0; i < 2000; i++)
            {
                cache.SetFolder($"data/{i:D4}/{new string('f', 40)}", $"fingerprint-{i}", $"{i:D32}.dir");
            }

            cache.Set("data/0000/a.bin", 4096, 638_000_000_000_000_000, "0123456789abcdef0123456789abcdef");
        }

        using var reopened = StatCache.Open(path);

        Assert.True(new FileInfo(path).Length > 64 * 1024);
        Assert.Equal($"{0:D32}.dir", reopened.TryGetFolder($"data/0000/{new string('f', 40)}", "fingerprint-0"));
        Assert.Equal($"{1999:D32}.dir", reopened.TryGetFolder($"data/1999/{new string('f', 40)}", "fingerprint-1999"));
        Assert.Null(reopened.TryGetFolder($"data/1999/{new string('f', 40)}", "another listing"));
        Assert.Equal("0123456789abcdef0123456789abcdef", reopened.TryGet("data/0000/a.bin", 4096, 638_000_000_000_000_000));
        Assert.Null(reopened.TryGet("data/0000/a.bin", 4097, 638_000_000_000_000_000));
    }

    [Fact]
    public void TryGet_AnotherProcessReplacedTheFileSinceOpen_ReadsTheFileThatWasOpened()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("fathom-state.bin");
        using (var first = StatCache.Open(path))
        {
            first.SetFolder("data", "listing", "aaaa.dir");
            first.Set("data/a.bin", 1, 10, "11111111111111111111111111111111");
        }

        using var opened = StatCache.Open(path);
        using (var other = StatCache.Open(path))
        {
            // Written to a temporary name and renamed over the file, as every flush does.
            other.Set("data/a.bin", 2, 20, "22222222222222222222222222222222");
            other.Set("data/b.bin", 3, 30, "33333333333333333333333333333333");
        }

        Assert.Equal("aaaa.dir", opened.TryGetFolder("data", "listing"));
        Assert.Equal("11111111111111111111111111111111", opened.TryGet("data/a.bin", 1, 10));
        Assert.Null(opened.TryGet("data/b.bin", 3, 30));
        using var latest = StatCache.Open(path);
        Assert.Equal("22222222222222222222222222222222", latest.TryGet("data/a.bin", 2, 20));
    }
}
