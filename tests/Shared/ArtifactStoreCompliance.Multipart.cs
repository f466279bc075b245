using Fathom.Storage;

namespace Fathom.Testing;

/// <summary>Multipart uploads (MLflow's proxy mpu routes), the same on every store that takes them.</summary>
public abstract partial class ArtifactStoreCompliance
{
    // S3's smallest part but the last.
    private const int PartSize = 5 << 20;

    /// <summary>
    /// Why the backend cannot show how an upload is refused or aborted (the store leaves those checks to the bucket, and
    /// a test bucket may lack them), or null.
    /// </summary>
    protected virtual string? MultipartChecksUnavailable => null;

    private IMultipartArtifactStore MultipartStore(bool checks = false)
    {
        Skip.If(Unavailable is not null, Unavailable);
        Skip.If(checks && MultipartChecksUnavailable is not null, MultipartChecksUnavailable);
        return Assert.IsAssignableFrom<IMultipartArtifactStore>(CreateStore());
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(IArtifactStore store, string path)
    {
        await using var stream = await store.OpenReadAsync(path, default);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [SkippableFact]
    public async Task Multipart_PartsSentOutOfOrder_AreJoinedInPartOrderOnCompletion()
    {
        var store = MultipartStore();
        var (first, second) = (Bytes(PartSize, 1), Bytes(1234, 2));
        var id = await store.CreateMultipartUploadAsync("model/weights.bin", default);

        var etag2 = await store.UploadPartAsync("model/weights.bin", id, 2, new MemoryStream(second), default);
        var etag1 = await store.UploadPartAsync("model/weights.bin", id, 1, new MemoryStream(first), default);
        var before = await ((IArtifactStore)store).ListAsync("model", default);
        await store.CompleteMultipartUploadAsync("model/weights.bin", id, [new UploadedPart(1, etag1), new UploadedPart(2, etag2)], default);

        var back = await ReadAllAsync((IArtifactStore)store, "model/weights.bin");
        Assert.Empty(before);
        Assert.Equal([.. first, .. second], back);
        Assert.Equal([new ArtifactEntry("model", true, null)], await ((IArtifactStore)store).ListAsync(null, default));
    }

    [SkippableFact]
    public async Task Multipart_Aborted_LeavesNoFileAndTheUploadIsGone()
    {
        var store = MultipartStore(checks: true);
        var id = await store.CreateMultipartUploadAsync("a/b.bin", default);
        var etag = await store.UploadPartAsync("a/b.bin", id, 1, new MemoryStream(Bytes(10, 3)), default);

        await store.AbortMultipartUploadAsync("a/b.bin", id, default);

        await Assert.ThrowsAsync<FileNotFoundException>(() => store.CompleteMultipartUploadAsync("a/b.bin", id, [new UploadedPart(1, etag)], default));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.UploadPartAsync("a/b.bin", id, 2, new MemoryStream([1]), default));
        Assert.Empty(await ((IArtifactStore)store).ListAsync(null, default));
    }

    [SkippableFact]
    public async Task Multipart_UnknownUploadOrAnotherPath_IsNoSuchUpload()
    {
        var store = MultipartStore(checks: true);
        var id = await store.CreateMultipartUploadAsync("mine.bin", default);

        await Assert.ThrowsAsync<FileNotFoundException>(() => store.UploadPartAsync("mine.bin", "0123456789abcdef0123456789abcdef", 1, new MemoryStream([1]), default));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.UploadPartAsync("other.bin", id, 1, new MemoryStream([1]), default));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.AbortMultipartUploadAsync("other.bin", id, default));
        await store.AbortMultipartUploadAsync("mine.bin", id, default);
    }

    [SkippableFact]
    public async Task Multipart_CompletionNamingAPartNeverSent_IsRefusedAndWritesNothing()
    {
        var store = MultipartStore(checks: true);
        var id = await store.CreateMultipartUploadAsync("x.bin", default);
        var etag = await store.UploadPartAsync("x.bin", id, 1, new MemoryStream(Bytes(PartSize, 4)), default);

        await Assert.ThrowsAsync<ArgumentException>(() => store.CompleteMultipartUploadAsync("x.bin", id, [new UploadedPart(1, etag), new UploadedPart(2, etag)], default));

        Assert.Empty(await ((IArtifactStore)store).ListAsync(null, default));
        await store.AbortMultipartUploadAsync("x.bin", id, default);
    }

    [SkippableFact]
    public async Task Multipart_PartNumberOutsideS3sRange_IsRefused()
    {
        var store = MultipartStore();
        var id = await store.CreateMultipartUploadAsync("y.bin", default);

        await Assert.ThrowsAsync<ArgumentException>(() => store.UploadPartAsync("y.bin", id, 0, new MemoryStream([1]), default));
        await Assert.ThrowsAsync<ArgumentException>(() => store.UploadPartAsync("y.bin", id, 10_001, new MemoryStream([1]), default));
    }
}
