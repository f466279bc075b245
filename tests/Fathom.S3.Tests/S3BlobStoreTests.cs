using Fathom.Data;
using Fathom.Storage;
using Fathom.Testing;

namespace Fathom.S3.Tests;

/// <summary>The bucket side of DVC remotes against a real s3rver: big objects in parts, small ones with their md5.</summary>
public sealed class S3BlobStoreTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [SkippableFact]
    public async Task Upload_AboveThreshold_GoesUpInPartsAndReadsBackWhole()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        // A 1 MiB threshold stands in for the real 64 MiB, so the test moves 3 MiB rather than gigabytes.
        var store = Store();
        var local = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        var bytes = new byte[(3 << 20) + 17];
        new Random(3).NextBytes(bytes);
        await File.WriteAllBytesAsync(local, bytes);
        try
        {
            await store.UploadAsync("files/md5/ab/big", local, null, default);

            // Four parts at offsets 0, 1, 2, 3 MiB, the last 17 bytes long: a part misplaced or cut shows in the bytes.
            // (s3rver answers a multipart object's ETag with the whole object's md5, where AWS sends "…-4".)
            Assert.Equal(bytes.Length, (await store.ListAsync("files/md5/", default)).Single().Size);
            await using var stream = await store.OpenReadAsync("files/md5/ab/big", default);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
        }
        finally
        {
            File.Delete(local);
        }
    }

    [SkippableFact]
    public async Task Upload_SmallObjectWithMd5_IsOnePutWhoseEtagIsThatMd5()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var store = Store();
        var local = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(local, "hello");
        try
        {
            await store.UploadAsync("files/md5/5d/41402abc4b2a76b9719d911017c592", local, "5d41402abc4b2a76b9719d911017c592", default);

            var stat = await store.StatAsync("files/md5/5d/41402abc4b2a76b9719d911017c592", default);
            Assert.Equal("5d41402abc4b2a76b9719d911017c592", stat?.Md5);
        }
        finally
        {
            File.Delete(local);
        }
    }

    private S3BlobStore Store() =>
        new(new S3Settings(s3.Endpoint, "us-east-1", S3rverFixture.AccessKey, S3rverFixture.SecretKey, null).CreateClient(), $"s3://{S3rverFixture.Bucket}/blobs-{Guid.NewGuid():N}", 8, batchDelete: true)
        {
            MultipartThreshold = 1 << 20,
            PartSize = 1 << 20,
        };
}
