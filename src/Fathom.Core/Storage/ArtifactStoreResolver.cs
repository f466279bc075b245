namespace Fathom.Storage;

/// <summary>
/// Picks the artifact store for a root URI by its scheme, as MLflow does: <c>file:</c> (or a plain path) is a
/// local folder; adapters such as the S3 store register their schemes at start-up.
/// </summary>
public sealed class ArtifactStoreResolver
{
    private readonly Dictionary<string, Func<string, IArtifactStore>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A resolver that knows local folders.</summary>
    public ArtifactStoreResolver() => _factories["file"] = uri => new LocalArtifactStore(new Uri(uri).LocalPath);

    /// <summary>Adds or replaces the factory for a URI scheme (e.g. <c>s3</c>).</summary>
    public ArtifactStoreResolver Register(string scheme, Func<string, IArtifactStore> factory)
    {
        _factories[scheme] = factory;
        return this;
    }

    /// <summary>The store rooted at <paramref name="rootUri"/>; throws with the known schemes when none fits.</summary>
    public IArtifactStore Resolve(string rootUri)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootUri);
        // A scheme is letters then ':' (mlflow-artifacts:/1/…, s3://…, file:///…); anything else is a local path.
        var colon = rootUri.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 1 ? rootUri[..colon] : string.Empty;
        if (scheme.Length == 0 || !char.IsAsciiLetter(scheme[0]) || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            return new LocalArtifactStore(rootUri);
        }

        return _factories.TryGetValue(scheme, out var factory)
            ? factory(rootUri)
            : throw new NotSupportedException(
                $"No artifact store for '{rootUri}': the scheme '{scheme}' is not known. Known schemes: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}.");
    }
}
