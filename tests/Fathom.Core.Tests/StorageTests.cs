using Fathom.Storage;

namespace Fathom.Tests;

public sealed class StorageTests
{
    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("/abs")]
    [InlineData("a\\b")]
    [InlineData("%2e%2e/x")]
    [InlineData("%252e%252e/x")]
    [InlineData("c:/x")]
    public void ArtifactPaths_Traversal_IsRefused(string path) =>
        Assert.Throws<ArgumentException>(() => ArtifactPaths.Normalise(path));

    [Theory]
    [InlineData("model/MLmodel", "model/MLmodel")]
    [InlineData("./a//b/", "a/b")]
    [InlineData("", "")]
    public void ArtifactPaths_SafePath_IsNormalised(string path, string expected) =>
        Assert.Equal(expected, ArtifactPaths.Normalise(path));

    [Fact]
    public void Resolver_SchemeWithoutSlashes_IsNotMistakenForAPath()
    {
        var error = Assert.Throws<NotSupportedException>(() => new ArtifactStoreResolver().Resolve("mlflow-artifacts:/1/run/artifacts"));
        Assert.Contains("mlflow-artifacts", error.Message, StringComparison.Ordinal);
        Assert.Equal("file:///tmp/x", new ArtifactStoreResolver().Resolve("/tmp/x").RootUri);
    }

    [Fact]
    public void Resolver_UnknownScheme_ListsKnownOnes()
    {
        var error = Assert.Throws<NotSupportedException>(() => new ArtifactStoreResolver().Resolve("gs://bucket/x"));
        Assert.Contains("file", error.Message, StringComparison.Ordinal);
    }
}
