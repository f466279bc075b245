namespace Fathom.Data;

/// <summary>
/// Picks the store for a remote or sync URL by its scheme: a plain path or <c>file://</c> is a local folder; adapters
/// register theirs (the S3 project adds <c>s3://</c> and <c>gs://</c>), so Core stays free of cloud SDKs.
/// </summary>
internal sealed class BlobStoreResolver
{
    private readonly Dictionary<string, Func<string, IReadOnlyDictionary<string, string>, IBlobStore>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds or replaces the factory for a scheme; it receives the URL and the remote's config options.</summary>
    public BlobStoreResolver Register(string scheme, Func<string, IReadOnlyDictionary<string, string>, IBlobStore> factory)
    {
        _factories[scheme] = factory;
        return this;
    }

    public static bool IsUrl(string location) => location.Contains("://", StringComparison.Ordinal);

    /// <summary>The store at <paramref name="location"/>; a relative local path is taken from <paramref name="baseDirectory"/>.</summary>
    public IBlobStore Resolve(string location, IReadOnlyDictionary<string, string> options, string baseDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentNullException.ThrowIfNull(options);
        if (location.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return new LocalBlobStore(new Uri(location).LocalPath);
        }

        if (!IsUrl(location))
        {
            return new LocalBlobStore(Path.GetFullPath(location, baseDirectory));
        }

        var scheme = location[..location.IndexOf("://", StringComparison.Ordinal)];
        return _factories.TryGetValue(scheme, out var factory)
            ? factory(location, options)
            : throw new DataException(DataErrorKind.InvalidInput,
                $"'{location}': the scheme '{scheme}' is not supported; use a local folder{(_factories.Count == 0 ? "" : ", " + string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal).Select(s => s + "://")))}.");
    }
}
