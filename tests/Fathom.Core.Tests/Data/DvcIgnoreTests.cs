using Fathom.Data;

namespace Fathom.Tests.Data;

public sealed class DvcIgnoreTests
{
    [Theory]
    [InlineData("*.tmp", "a/b/x.tmp", false, true)]
    [InlineData("*.tmp", "a/b/x.tmpl", false, false)]
    [InlineData("/build", "build", true, true)]
    [InlineData("/build", "src/build", true, false)]
    [InlineData("logs/", "a/logs", true, true)]
    [InlineData("logs/", "a/logs", false, false)]
    [InlineData("data/**/raw", "data/x/y/raw", true, true)]
    [InlineData("data/**/raw", "data/raw", true, true)]
    [InlineData("**/cache", "deep/er/cache", true, true)]
    [InlineData("out/**", "out/a/b.txt", false, true)]
    [InlineData("file?.[ch]", "file1.c", false, true)]
    [InlineData("file?.[!ch]", "file1.c", false, false)]
    [InlineData("# comment", "# comment", false, false)]
    [InlineData("\\#hash", "#hash", false, true)]
    public void IsIgnored_GitignorePattern_MatchesLikeGit(string pattern, string path, bool isDirectory, bool expected)
    {
        Assert.Equal(expected, DvcIgnore.Parse(pattern).IsIgnored(path, isDirectory));
    }

    [Fact]
    public void IsIgnored_Negation_LastRuleWins()
    {
        var ignore = DvcIgnore.Parse("*.csv\n!keep.csv\n");

        Assert.True(ignore.IsIgnored("a/drop.csv", false));
        Assert.False(ignore.IsIgnored("a/keep.csv", false));
    }

    [Fact]
    public void IsIgnored_BuiltIns_HideDvcAndGitFolders()
    {
        var ignore = DvcIgnore.Empty;

        Assert.True(ignore.IsIgnored(".dvc", true));
        Assert.True(ignore.IsIgnored("sub/.git", true));
        Assert.False(ignore.IsIgnored("data.dvc", false));
    }

    [Fact]
    public void IsIgnoredWithParents_FileInIgnoredFolder_IsIgnored()
    {
        Assert.True(DvcIgnore.Parse("tmp/\n!tmp/keep.txt\n").IsIgnoredWithParents("tmp/keep.txt", false));
    }

    [Fact]
    public void IsIgnored_DvcignoreInSubfolder_AppliesRelativeToItsFolderAndOverridesRoot()
    {
        using var dir = new TempDirectory();
        dir.WriteFile(".dvcignore", "*.tmp\n");
        dir.WriteFile("data/.dvcignore", "*.log\n/top.txt\n!x.tmp\n");

        var ignore = DvcIgnore.Load(dir.Path);

        Assert.True(ignore.IsIgnored("data/a.log", false));
        Assert.True(ignore.IsIgnored("data/deep/a.log", false));
        Assert.False(ignore.IsIgnored("other/a.log", false));
        Assert.True(ignore.IsIgnored("data/top.txt", false));
        Assert.False(ignore.IsIgnored("data/sub/top.txt", false));
        Assert.False(ignore.IsIgnored("data/x.tmp", false));
        Assert.True(ignore.IsIgnored("x.tmp", false));
        Assert.True(ignore.IsIgnoredWithParents("data/y.tmp", false));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    [Fact]
    public void Add_FolderUnderSubfolderDvcignore_LeavesIgnoredFilesOutOfManifest()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("data/.dvcignore", "*.log\nimages/skip.txt\n");
        dir.WriteFile("data/images/cat.jpeg", "cat");
        dir.WriteFile("data/images/run.log", "noise");
        dir.WriteFile("data/images/skip.txt", "skip");
        dir.WriteFile("data/images/sub/skip.txt", "kept: the rule is anchored to data/");

        var hash = DataWorkspace.Open(dir.Path).Add(["data/images"], dir.Path, null, default).Outputs.Single().Hash;

        var manifest = File.ReadAllText(dir.Combine(".dvc", "cache", "files", "md5", hash.Md5[..2], hash.Md5[2..]));
        Assert.Contains("\"cat.jpeg\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"sub/skip.txt\"", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("run.log", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("\"skip.txt\"", manifest, StringComparison.Ordinal);
        Assert.Equal(2, hash.FileCount);
    }
}
