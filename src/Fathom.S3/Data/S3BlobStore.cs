using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Fathom.Storage;

namespace Fathom.Data;

/// <summary>
/// A bucket prefix as a <see cref="IBlobStore"/>, for DVC remotes and <c>data sync</c>. One PUT per file, or a multipart
/// upload for big ones: S3 makes an object visible only when its upload completes, so readers never see half of one. Service and network failures
/// become one <see cref="DataException"/> naming the URL and what to check.
/// </summary>
internal sealed class S3BlobStore : IBlobStore
{
    private readonly IAmazonS3 _client;
    private readonly S3Uri _root;
    private readonly bool _batchDelete;

    /// <param name="client">The client for the remote's endpoint and credentials.</param>
    /// <param name="url">The remote's URL as written (<c>s3://bucket/prefix</c> or <c>gs://bucket/prefix</c>).</param>
    /// <param name="jobs">Parallel transfers when the user gives none.</param>
    /// <param name="batchDelete">Whether the service has S3's multi-object delete (GCS's interoperability API has not).</param>
    public S3BlobStore(IAmazonS3 client, string url, int jobs, bool batchDelete)
    {
        _client = client;
        Url = url.TrimEnd('/');
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        _root = S3Uri.Parse("s3" + url[scheme..]);
        DefaultJobs = jobs;
        _batchDelete = batchDelete;
    }

    public string Url { get; }

    public int DefaultJobs { get; }

    public string? LocalPath(string key) => null;

    public Task<IReadOnlyList<BlobInfo>> ListAsync(string prefix, CancellationToken cancellationToken) => GuardAsync(prefix, async () =>
    {
        var rootPrefix = _root.Prefix.Length == 0 ? "" : _root.Prefix + "/";
        // ListObjects (v1, paged by marker) rather than v2: every S3-compatible service has it, while s3rver, for one,
        // fails v2 listings that span more than one page.
        var request = new ListObjectsRequest { BucketName = _root.Bucket, Prefix = rootPrefix + prefix };
        var blobs = new List<BlobInfo>();
        ListObjectsResponse response;
        do
        {
            response = await _client.ListObjectsAsync(request, cancellationToken);
            foreach (var item in response.S3Objects ?? [])
            {
                // Keys ending in '/' are the empty "folder" markers consoles create, not files.
                if (item.Key.Length > rootPrefix.Length && !item.Key.EndsWith('/'))
                {
                    blobs.Add(new BlobInfo(item.Key[rootPrefix.Length..], item.Size ?? 0, item.LastModified ?? DateTimeOffset.MinValue.UtcDateTime, item.ETag));
                }
            }

            // Without a delimiter S3 sends no NextMarker: the last key of the page is where the next one starts.
            request.Marker = response.NextMarker ?? response.S3Objects?.LastOrDefault()?.Key;
        }
        while (response.IsTruncated == true && request.Marker is not null);

        return (IReadOnlyList<BlobInfo>)blobs;
    });

    public Task<BlobInfo?> StatAsync(string key, CancellationToken cancellationToken) => GuardAsync(key, async () =>
    {
        try
        {
            var head = await _client.GetObjectMetadataAsync(_root.Bucket, _root.Key(key), cancellationToken);
            return new BlobInfo(key, head.ContentLength, head.LastModified ?? DateTimeOffset.MinValue.UtcDateTime, head.ETag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    });

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => GuardAsync(key, async () =>
    {
        try
        {
            var response = await _client.GetObjectAsync(_root.Bucket, _root.Key(key), cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"{Url}/{key} does not exist.", key, e);
        }
    });

    /// <summary>
    /// One PUT up to <see cref="MultipartThreshold"/>, with the md5 as Content-MD5 when the caller knows it (the object
    /// id of a cache object: free to send, and the service refuses a body damaged on the way); above it, a multipart
    /// upload, since a single PUT stops at 5 GiB.
    /// </summary>
    public Task UploadAsync(string key, string sourceFile, string? md5, CancellationToken cancellationToken) => GuardAsync(key, async () =>
    {
        var length = new FileInfo(sourceFile).Length;
        if (length > MultipartThreshold)
        {
            await S3Multipart.UploadAsync(_client, _root.Bucket, _root.Key(key), sourceFile, length, PartSize, cancellationToken);
            return;
        }

        // Plain (not aws-chunked) payloads: s3rver and older Ceph/ECS do not decode the SDK's streaming chunk signatures.
        var request = new PutObjectRequest { BucketName = _root.Bucket, Key = _root.Key(key), FilePath = sourceFile, UseChunkEncoding = false };
        if (md5 is not null)
        {
            request.MD5Digest = Convert.ToBase64String(Convert.FromHexString(md5));
        }

        await _client.PutObjectAsync(request, cancellationToken);
    });

    /// <summary>Objects above this size go up in parts (AWS: at most 5 GiB per PUT).</summary>
    public long MultipartThreshold { get; init; } = 64L << 20;

    /// <summary>The size of each part (grown for huge files, so that no upload needs more than S3's 10,000 parts).</summary>
    public long PartSize { get; init; } = 64L << 20;

    public Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => GuardAsync("", async () =>
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!_batchDelete)
        {
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = DefaultJobs, CancellationToken = cancellationToken }, async (key, ct) =>
                await _client.DeleteObjectAsync(_root.Bucket, _root.Key(key), ct));
            return;
        }

        // DeleteObjects takes at most 1,000 keys per request.
        foreach (var chunk in keys.Chunk(1000))
        {
            var response = await _client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = _root.Bucket,
                Objects = chunk.Select(k => new KeyVersion { Key = _root.Key(k) }).ToList(),
            }, cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new DataException(DataErrorKind.Failure, $"{Url}: could not delete {errors.Count} objects, e.g. {errors[0].Key}: {errors[0].Message}.");
            }
        }
    });

    private async Task<T> GuardAsync<T>(string key, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (AmazonServiceException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new DataException(DataErrorKind.Failure, $"{Url}/{key}: access denied ({e.ErrorCode ?? e.Message}); check the remote's credentials (access_key_id/secret_access_key, profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).");
        }
        catch (AmazonServiceException e) when (e.StatusCode != HttpStatusCode.NotFound || e.ErrorCode == "NoSuchBucket")
        {
            throw new DataException(DataErrorKind.Failure, $"{Url}/{key}: {e.ErrorCode ?? "error"}: {e.Message}; check the bucket, endpointurl and region.");
        }
        catch (HttpRequestException e)
        {
            throw new DataException(DataErrorKind.Failure, $"{Url}: cannot reach the endpoint ({e.Message}); check endpointurl (or AWS_ENDPOINT_URL) and use_ssl.");
        }
    }

    private async Task GuardAsync(string key, Func<Task> action) => await GuardAsync(key, async () =>
    {
        await action();
        return true;
    });
}
