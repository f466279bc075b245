using System.Text;
using Fathom.Storage;
using Fathom.Testing;

namespace Fathom.Tests;

public sealed class LocalArtifactStoreTests : ArtifactStoreCompliance
{
    public static TheoryData<string> ThroughLinks => [.. HostilePaths.ThroughLinks, "link.txt"];

    protected override IArtifactStore CreateStore() =>
        new LocalArtifactStore(Path.Combine(Path.GetTempPath(), "fathom-local-store", Guid.NewGuid().ToString("N")));

    /// <summary>
    /// The artifact proxy's attack: a link planted in the artifact folder (a folder <c>linked</c> leading to another
    /// folder, a file <c>link.txt</c> leading to a file there) must not let a request read, list, write or delete there.
    /// </summary>
    [Theory]
    [MemberData(nameof(ThroughLinks))]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task EveryOperation_ThroughALinkLeadingOut_IsRefusedAndTouchesNothingThere(string path)
    {
        using var dir = new TempDirectory();
        var (store, outside) = Planted(dir);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.OpenReadAsync(path, default));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.ListAsync(path, default));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.UploadAsync(new MemoryStream("owned"u8.ToArray()), path, default));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.DeleteAsync(path, default));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.DownloadAsync(path, dir.Combine("download"), default));

        Assert.Equal(["deeper", "escape.txt"], Directory.EnumerateFileSystemEntries(outside).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("secret", File.ReadAllText(Path.Combine(outside, "escape.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(outside, "deeper")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ListAndDownload_FolderHoldingLinksLeadingOut_ListsThemNotAndRefusesToCopyThrough()
    {
        using var dir = new TempDirectory();
        var (store, _) = Planted(dir);

        var listed = await store.ListAsync(null, default);
        var download = store.DownloadAsync("", dir.Combine("download"), default);

        Assert.Equal(["kept.txt"], listed.Select(e => e.Path));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => download);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task OpenRead_LinkThatStaysInTheFolder_IsFollowed()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("artifacts");
        Directory.CreateDirectory(Path.Combine(root, "model"));
        File.WriteAllText(Path.Combine(root, "model", "w.bin"), "weights");
        Directory.CreateSymbolicLink(Path.Combine(root, "latest"), Path.Combine(root, "model"));

        await using var stream = await new LocalArtifactStore(root).OpenReadAsync("latest/w.bin", default);

        Assert.Equal("weights", await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync());
    }

    // Unfinished multipart uploads keep their parts in a folder below the root: no listing shows it, and no artifact
    // path reaches it, so the proxy's ordinary routes can neither read nor plant parts.
    [Fact]
    public async Task MultipartStaging_IsHiddenFromListingsAndRefusedAsAnArtifactPath()
    {
        using var dir = new TempDirectory();
        var store = new LocalArtifactStore(dir.Combine("artifacts"));
        var id = await store.CreateMultipartUploadAsync("0/run/artifacts/model.bin", default);
        await store.UploadPartAsync("0/run/artifacts/model.bin", id, 1, new MemoryStream([1, 2, 3]), default);
        var staged = $"{LocalArtifactStore.StagingFolder}/{id}/target";

        Assert.Empty(await store.ListAsync(null, default));
        Assert.True(File.Exists(dir.Combine("artifacts", LocalArtifactStore.StagingFolder, id, "target")));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.OpenReadAsync(staged, default));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.ListAsync(LocalArtifactStore.StagingFolder, default));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.UploadAsync(new MemoryStream([9]), staged, default));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => store.DeleteAsync(LocalArtifactStore.StagingFolder, default));
    }

    private static (LocalArtifactStore Store, string Outside) Planted(TempDirectory dir)
    {
        var root = dir.Combine("artifacts");
        var outside = dir.Combine("outside");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(outside, "deeper"));
        File.WriteAllText(Path.Combine(outside, "escape.txt"), "secret");
        File.WriteAllText(Path.Combine(root, "kept.txt"), "kept");
        HostilePaths.PlantLinks(root, outside);
        File.CreateSymbolicLink(Path.Combine(root, "link.txt"), Path.Combine(outside, "escape.txt"));
        return (new LocalArtifactStore(root), outside);
    }
}
