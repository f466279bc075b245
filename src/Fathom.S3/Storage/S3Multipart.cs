using Amazon.S3;
using Amazon.S3.Model;

namespace Fathom.Storage;

/// <summary>
/// A file uploaded in parts, several at a time. S3 assembles the object only on completion, so readers never see a
/// part; a failed upload is aborted, since stored parts of an unfinished upload are kept (and billed) until then.
/// </summary>
internal static class S3Multipart
{
    /// <summary>S3's limit on parts per upload; the part size grows for files that would need more.</summary>
    public const int MaxParts = 10_000;

    // A few parts at once: one big file should not wait on a single connection, nor take all of them.
    private const int Parallel = 4;

    public static async Task UploadAsync(IAmazonS3 client, string bucket, string key, string localFile, long size, long partSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        partSize = Math.Max(partSize, (size + MaxParts - 1) / MaxParts);
        var partCount = (int)((size + partSize - 1) / partSize);
        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, cancellationToken);
        try
        {
            var etags = new PartETag[partCount];
            await System.Threading.Tasks.Parallel.ForAsync(0, partCount, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Parallel }, async (i, ct) =>
            {
                var position = i * partSize;
                var response = await client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = i + 1,
                    FilePath = localFile,
                    FilePosition = position,
                    PartSize = Math.Min(partSize, size - position),
                    IsLastPart = i == partCount - 1,
                    // Plain payloads: s3rver and older Ceph/ECS do not decode the SDK's streaming chunk signatures.
                    UseChunkEncoding = false,
                }, ct);
                etags[i] = new PartETag(i + 1, response.ETag);
            });
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = [.. etags],
            }, cancellationToken);
        }
        catch
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }
}
