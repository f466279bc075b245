using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Fathom.Storage;

/// <summary>
/// Multipart uploads as S3 keeps them: the bucket holds the parts and joins them on completion, so an upload id is
/// S3's own and is bound to its key by S3. S3's refusals become the port's: NoSuchUpload a missing upload, InvalidPart
/// and InvalidPartOrder a bad completion.
/// </summary>
internal sealed partial class S3ArtifactStore : IMultipartArtifactStore
{
    public async Task<string> CreateMultipartUploadAsync(string artifactPath, CancellationToken cancellationToken)
    {
        var relative = ArtifactPaths.Normalise(artifactPath);
        if (relative.Length == 0)
        {
            throw new ArgumentException("An artifact file needs a path below the root.", nameof(artifactPath));
        }

        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _root.Bucket, Key = _root.Key(relative) }, cancellationToken);
        return upload.UploadId;
    }

    public async Task<string> UploadPartAsync(string artifactPath, string uploadId, int partNumber, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (partNumber is < 1 or > IMultipartArtifactStore.MaxParts)
        {
            throw new ArgumentException($"Part numbers run from 1 to {IMultipartArtifactStore.MaxParts}, got {partNumber}.", nameof(partNumber));
        }

        // S3 needs a part's length before its bytes (and the SDK reads them twice to sign them): a request body is
        // spooled to a temporary file first, as a streamed upload is.
        var temp = Path.Combine(Path.GetTempPath(), "fathom-s3-part-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            var response = await Translate(artifactPath, uploadId, () => _client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = _root.Bucket,
                Key = _root.Key(ArtifactPaths.Normalise(artifactPath)),
                UploadId = uploadId,
                PartNumber = partNumber,
                FilePath = temp,
                // Plain payloads: s3rver and older Ceph/ECS do not decode the SDK's streaming chunk signatures.
                UseChunkEncoding = false,
            }, cancellationToken));
            return response.ETag;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task CompleteMultipartUploadAsync(string artifactPath, string uploadId, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("A multipart upload is completed with at least one part.", nameof(parts));
        }

        await Translate(artifactPath, uploadId, () => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = _root.Bucket,
            Key = _root.Key(ArtifactPaths.Normalise(artifactPath)),
            UploadId = uploadId,
            PartETags = [.. parts.Select(p => new PartETag(p.PartNumber, p.ETag))],
        }, cancellationToken));
    }

    public Task AbortMultipartUploadAsync(string artifactPath, string uploadId, CancellationToken cancellationToken) =>
        Translate(artifactPath, uploadId, () => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
        {
            BucketName = _root.Bucket,
            Key = _root.Key(ArtifactPaths.Normalise(artifactPath)),
            UploadId = uploadId,
        }, cancellationToken));

    private async Task<T> Translate<T>(string artifactPath, string uploadId, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload" || e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"No multipart upload {uploadId} of '{ArtifactPaths.Normalise(artifactPath)}' is under way in {RootUri}.", e);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "InvalidPart" or "InvalidPartOrder" or "EntityTooSmall" || e.StatusCode == HttpStatusCode.BadRequest)
        {
            throw new ArgumentException($"S3 refused the parts of upload {uploadId}: {e.Message}", e);
        }
    }
}
