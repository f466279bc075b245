using Fathom.Storage;
using Fathom.Testing;

namespace Fathom.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PathConfinementTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _root;
    private readonly string _outside;

    public PathConfinementTests()
    {
        _root = _dir.Combine("repo");
        _outside = _dir.Combine("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(Path.Combine(_outside, "deeper"));
        HostilePaths.PlantLinks(_root, _outside);
    }

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Hostile => HostilePaths.All();

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Confine_HostilePathFromADvcFile_IsRefusedWithAReason(string path)
    {
        var confined = new PathConfinement(_root, "the repository").Confine(HostilePaths.For(path, _outside), _root);

        Assert.True(confined.IsRefused, $"'{path}' was accepted as {confined.FullPath}");
        Assert.False(string.IsNullOrWhiteSpace(confined.Refusal));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void ConfineBelow_HostileNameFromAManifestOrBucket_IsRefused(string path)
    {
        var confinement = new PathConfinement(_root, "the folder");

        var confined = confinement.ConfineBelow(HostilePaths.For(path, _outside), guardMetadata: true, includeFinal: true);

        Assert.True(confined.IsRefused, $"'{path}' was accepted as {confined.FullPath}");
        Assert.Equal(HostilePaths.Lexical.Contains(path), PathConfinement.NameRefusal(HostilePaths.For(path, _outside), guardMetadata: true) is not null);
    }

    [Theory]
    [InlineData("data.xml", "data.xml")]
    [InlineData("sub/dir/x.csv", "sub/dir/x.csv")]
    [InlineData("sub/../data.xml", "data.xml")]
    [InlineData(".gitignore", ".gitignore")]
    [InlineData(".github/workflows/ci.yml", ".github/workflows/ci.yml")]
    [InlineData(".dvcignore", ".dvcignore")]
    [InlineData("git~2/x", "git~2/x")]
    [InlineData("data.dvc.d/x", "data.dvc.d/x")]
    public void Confine_OrdinaryOutputPaths_ResolveInsideTheRoot(string path, string expected)
    {
        var confined = new PathConfinement(_root, "the repository").Confine(path, _root);

        Assert.Null(confined.Refusal);
        Assert.Equal(Path.Combine(_root, expected), confined.FullPath);
    }

    [Fact]
    public void Confine_ParentStepsFromAWdirThatStayInside_AreAcceptedAsDvcAcceptsThem()
    {
        var confinement = new PathConfinement(_root, "the repository");

        Assert.Equal(Path.Combine(_root, "model.pkl"), confinement.Confine("../model.pkl", Path.Combine(_root, "src")).FullPath);
        Assert.Equal(Path.Combine(_root, "abs.bin"), confinement.Confine(Path.Combine(_root, "abs.bin"), _root).FullPath);
        Assert.True(confinement.Confine("../../x", Path.Combine(_root, "src")).IsRefused);
    }

    [Fact]
    public void Confine_BackslashInAName_IsReadAsThisSystemDoesWhenTheDecisionIsTheSame()
    {
        var confined = new PathConfinement(_root, "the repository").Confine("a\\b.txt", _root);

        // On Linux the backslash is part of the name; it is inside on every reading, so it is accepted as written.
        Assert.Equal(Path.Combine(_root, "a\\b.txt"), confined.FullPath);
    }

    [Fact]
    public void Confine_LinkThatStaysInside_IsFollowedAndAccepted()
    {
        Directory.CreateDirectory(Path.Combine(_root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "alias"), Path.Combine(_root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "relative-alias"), "real");

        var confinement = new PathConfinement(_root, "the repository");

        Assert.False(confinement.Confine("alias/x.bin", _root).IsRefused);
        Assert.False(confinement.Confine("relative-alias/x.bin", _root).IsRefused);
    }

    [Fact]
    public void Confine_DanglingLinkAsAFolder_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), Path.Combine(_outside, "not-there"));

        var confined = new PathConfinement(_root, "the repository").Confine("dangling/x.bin", _root);

        Assert.Contains("symbolic link leading out of the repository (to nothing)", confined.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void LinkRefusal_FinalComponentIsALinkOut_RefusedOnlyWhenTheFinalComponentCounts()
    {
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(_root, "link.txt"), Path.Combine(_outside, "secret.txt"));
        var confinement = new PathConfinement(_root, "the folder");
        var link = Path.Combine(_root, "link.txt");

        Assert.Null(confinement.LinkRefusal(link, includeFinal: false));
        Assert.Contains("'link.txt', a symbolic link leading out of the folder", confinement.LinkRefusal(link, includeFinal: true), StringComparison.Ordinal);
    }

    [Fact]
    public void Confine_RootBehindALink_ComparesRealPaths()
    {
        var alias = _dir.Combine("alias-of-repo");
        Directory.CreateSymbolicLink(alias, _root);
        Directory.CreateDirectory(Path.Combine(_root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "inner"), Path.Combine(_root, "real"));

        var confined = new PathConfinement(alias, "the repository").Confine("inner/x.bin", alias);

        Assert.Null(confined.Refusal);
    }

    [Theory]
    [InlineData("../x", "'..'")]
    [InlineData(".git/config", ".git")]
    [InlineData("sub/.dvc/x", ".dvc")]
    [InlineData("a//b", "empty segment")]
    [InlineData("./a", "'.'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("", "empty")]
    public void NameRefusal_SaysWhy(string name, string reason) =>
        Assert.Contains(reason, PathConfinement.NameRefusal(name, guardMetadata: true), StringComparison.Ordinal);

    [Fact]
    public void NameRefusal_MetadataFoldersWhereTheyAreOrdinaryData_AreAcceptedWithoutTheGuard() =>
        Assert.Null(PathConfinement.NameRefusal("project/.git/config", guardMetadata: false));

    [Fact]
    public void Resolved_PathNotYetCreatedBelowALink_ResolvesTheExistingPart()
    {
        var alias = _dir.Combine("alias-of-outside");
        Directory.CreateSymbolicLink(alias, _outside);

        Assert.Equal(Path.Combine(PathConfinement.RealPath(_outside)!, "new", "file"), PathConfinement.Resolved(Path.Combine(alias, "new", "file")));
    }
}
