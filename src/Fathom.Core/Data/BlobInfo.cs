namespace Fathom.Data;

/// <summary>
/// A file in a <see cref="IBlobStore"/>: its key, size, modification time and, for buckets, the ETag (an md5 only for
/// objects uploaded in one part; multipart ETags end in <c>-N</c>).
/// </summary>
internal sealed record BlobInfo(string Key, long Size, DateTimeOffset LastModified, string? ETag)
{
    /// <summary>The content md5 the ETag proves, or null when it is a multipart (or missing) ETag that proves nothing.</summary>
    public string? Md5 => ETag?.Trim('"') is { Length: 32 } tag && tag.All(char.IsAsciiHexDigit) ? tag.ToLowerInvariant() : null;
}
