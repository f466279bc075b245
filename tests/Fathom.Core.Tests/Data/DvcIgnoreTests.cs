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
}
