using Fathom.Storage;
using Fathom.Testing;

namespace Fathom.S3.Tests;

public sealed class S3ArtifactStoreTests(S3rverFixture s3) : ArtifactStoreCompliance, IClassFixture<S3rverFixture>
{
    protected override string? Unavailable => s3.Unavailable;

    // AWS S3, MinIO and Ceph refuse unknown uploads and bad parts and abort uploads; the store leaves that to them.
    protected override string? MultipartChecksUnavailable => S3rverFixture.MultipartChecksMissing;

    // Each test gets its own prefix in the shared bucket, so tests never see each other's objects.
    protected override IArtifactStore CreateStore() =>
        new S3ArtifactStore(
            new S3Settings(s3.Endpoint, "us-east-1", S3rverFixture.AccessKey, S3rverFixture.SecretKey, null).CreateClient(),
            $"s3://{S3rverFixture.Bucket}/runs/{Guid.NewGuid():N}/artifacts");

    [SkippableFact]
    public async Task Upload_LargeFile_GoesUpInPartsAndRoundTrips()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var client = new S3Settings(s3.Endpoint, "us-east-1", S3rverFixture.AccessKey, S3rverFixture.SecretKey, null).CreateClient();
        var store = new S3ArtifactStore(client, $"s3://{S3rverFixture.Bucket}/big/{Guid.NewGuid():N}", multipartThreshold: 6 << 20, partSize: 5 << 20);
        var local = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        var bytes = new byte[(12 << 20) + 123];
        new Random(1).NextBytes(bytes);
        await File.WriteAllBytesAsync(local, bytes);
        try
        {
            await store.UploadFileAsync(local, "model/weights.bin", default);
            await using var stream = await store.OpenReadAsync("model/weights.bin", default);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);

            Assert.Equal(bytes.Length, (await store.ListAsync("model", default)).Single().FileSize);
            Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
        }
        finally
        {
            File.Delete(local);
        }
    }

    [SkippableFact]
    public async Task ListRecursive_DeepTree_FindsEveryFile()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var store = CreateStore();
        var local = Path.GetTempFileName();
        await File.WriteAllTextAsync(local, "x");
        await store.UploadFileAsync(local, "d/abc/artifacts/model/MLmodel", default);
        File.Delete(local);

        var files = await store.ListRecursiveAsync(null, default);

        Assert.Equal(["d/abc/artifacts/model/MLmodel"], files.Select(f => f.Path));
    }

    [Fact]
    public void S3Uri_Parse_SplitsBucketAndPrefix()
    {
        Assert.Equal(new S3Uri("b", "a/b"), S3Uri.Parse("s3://b/a/b/"));
        Assert.Equal(new S3Uri("b", ""), S3Uri.Parse("s3://b"));
        Assert.Throws<ArgumentException>(() => S3Uri.Parse("s3:///x"));
    }
}
