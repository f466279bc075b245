using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Fathom.Storage;

/// <summary>
/// Artifacts in an S3-compatible bucket below a key prefix. Files over 64 MiB are uploaded in parallel parts;
/// S3 writes are atomic per object, so a reader never sees half a file. Downloads land under a temporary name
/// and are renamed.
/// </summary>
internal sealed partial class S3ArtifactStore : IArtifactStore
{
    private readonly IAmazonS3 _client;
    private readonly S3Uri _root;
    private readonly long _multipartThreshold;
    private readonly long _partSize;

    public S3ArtifactStore(IAmazonS3 client, string rootUri, long multipartThreshold = 64L << 20, long partSize = 16L << 20)
    {
        _client = client;
        _multipartThreshold = multipartThreshold;
        _partSize = partSize;
        _root = S3Uri.Parse(rootUri);
        RootUri = rootUri.TrimEnd('/');
    }

    public string RootUri { get; }

    public async Task UploadFileAsync(string localFile, string artifactPath, CancellationToken cancellationToken)
    {
        var key = _root.Key(ArtifactPaths.Normalise(artifactPath));
        var size = new FileInfo(localFile).Length;
        if (size <= _multipartThreshold)
        {
            // Plain (not aws-chunked) payloads: S3-compatible servers such as s3rver and older Ceph/ECS do not decode
            // the SDK's streaming chunk signatures and would store the chunk framing as data.
            await _client.PutObjectAsync(new PutObjectRequest { BucketName = _root.Bucket, Key = key, FilePath = localFile, UseChunkEncoding = false }, cancellationToken);
            return;
        }

        await UploadMultipartAsync(localFile, key, size, cancellationToken);
    }

    public async Task UploadAsync(Stream content, string artifactPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek && content.Length - content.Position <= _multipartThreshold)
        {
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _root.Bucket,
                Key = _root.Key(ArtifactPaths.Normalise(artifactPath)),
                InputStream = content,
                AutoCloseStream = false,
                UseChunkEncoding = false,
            }, cancellationToken);
            return;
        }

        // S3 needs the length up front: spool a one-way (or large) stream to a temporary file first.
        var temp = Path.Combine(Path.GetTempPath(), "fathom-s3-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            await UploadFileAsync(temp, artifactPath, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private Task UploadMultipartAsync(string localFile, string key, long size, CancellationToken cancellationToken) =>
        S3Multipart.UploadAsync(_client, _root.Bucket, key, localFile, size, _partSize, cancellationToken);

    /// <summary>
    /// The children of a folder from one walk over the keys below it, in key order, jumping past each folder met: one
    /// request per 1,000 files and at most one per sub-folder. Not a delimited listing: s3rver leaves a folder that
    /// holds only folders out of its common prefixes, and this walk relies on nothing but prefix and start-after.
    /// Keys are asked for URL-encoded (S3 cannot put every key in XML) and decoded once, when the answer says so.
    /// </summary>
    public async Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken cancellationToken)
    {
        var relative = ArtifactPaths.Normalise(path);
        var prefix = _root.Key(relative);
        prefix = prefix.Length == 0 ? "" : prefix + "/";
        var entries = new List<ArtifactEntry>();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = _root.Bucket, Prefix = prefix, Encoding = EncodingType.Url };
        while (true)
        {
            var response = await _client.ListObjectsV2Async(request, cancellationToken);
            string? lastKey = null;
            string? lastFolder = null;
            foreach (var item in response.S3Objects ?? [])
            {
                var key = response.Encoding == EncodingType.Url ? WebUtility.UrlDecode(item.Key) : item.Key;
                lastKey = key;
                // The folder's own marker object ("prefix/", written by consoles) is not a child of it.
                if (key.Length <= prefix.Length || !key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = key[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                lastFolder = slash < 0 ? null : rest[..slash];
                if (ArtifactPaths.ListedChild(relative, lastFolder ?? rest) is not { } child)
                {
                    continue;
                }

                if (lastFolder is null)
                {
                    entries.Add(new ArtifactEntry(child, false, item.Size));
                }
                else if (folders.Add(lastFolder))
                {
                    entries.Add(new ArtifactEntry(child, true, null));
                }
            }

            if (response.IsTruncated != true || lastKey is null)
            {
                return entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
            }

            // Past the rest of the last folder's keys; the last key itself where that would not move forward.
            var next = lastFolder is null ? lastKey : prefix + lastFolder + "/\uFFFF";
            request.StartAfter = next == request.StartAfter || string.CompareOrdinal(next, lastKey) <= 0 ? lastKey : next;
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var key = _root.Key(ArtifactPaths.Normalise(path));
        try
        {
            var response = await _client.GetObjectAsync(_root.Bucket, key, cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"No artifact at '{ArtifactPaths.Normalise(path)}' under {RootUri}.", key, e);
        }
    }

    public Task<string> DownloadAsync(string path, string localDirectory, CancellationToken cancellationToken) =>
        this.DownloadByListingAsync(path, localDirectory, cancellationToken);

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var relative = ArtifactPaths.Normalise(path);
        var keys = (await this.ListRecursiveAsync(relative, cancellationToken)).Select(f => _root.Key(f.Path)).ToList();
        if (keys.Count == 0 && relative.Length > 0)
        {
            keys.Add(_root.Key(relative));
        }

        // DeleteObjects takes at most 1,000 keys per request.
        foreach (var chunk in keys.Chunk(1000))
        {
            await _client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = _root.Bucket,
                Objects = chunk.Select(k => new KeyVersion { Key = k }).ToList(),
            }, cancellationToken);
        }
    }

    public async Task<string> GetLocalPathAsync(string path, string scratchDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(scratchDirectory))
        {
            Directory.Delete(scratchDirectory, recursive: true);
        }

        return await DownloadAsync(path, scratchDirectory, cancellationToken);
    }
}
