namespace Fathom.Storage;

/// <summary>An <c>s3://bucket/prefix</c> URI split into bucket and key prefix (no leading or trailing '/').</summary>
internal sealed record S3Uri(string Bucket, string Prefix)
{
    public static S3Uri Parse(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        if (!uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Not an s3:// URI: '{uri}'.", nameof(uri));
        }

        var rest = uri["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0)
        {
            throw new ArgumentException($"Invalid S3 URI '{uri}': no bucket name.", nameof(uri));
        }

        return new S3Uri(bucket, slash < 0 ? "" : rest[(slash + 1)..].Trim('/'));
    }

    public string Key(string relative) => Prefix.Length == 0 ? relative : relative.Length == 0 ? Prefix : Prefix + "/" + relative;
}
