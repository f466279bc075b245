namespace Fathom.Storage;

/// <summary>Registers the <c>s3:</c> scheme with a resolver; one client (thread-safe, pooled connections) serves every root.</summary>
public static class S3ArtifactStores
{
    /// <summary>Adds <c>s3://</c> support to <paramref name="resolver"/> using settings from the environment.</summary>
    public static ArtifactStoreResolver Register(ArtifactStoreResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var client = new Lazy<Amazon.S3.IAmazonS3>(() => S3Settings.FromEnvironment().CreateClient());
        return resolver.Register("s3", uri => new S3ArtifactStore(client.Value, uri));
    }
}
