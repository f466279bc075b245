namespace Fathom.Storage;

/// <summary>Validates relative artifact paths the way MLflow does, so no request can reach outside the root.</summary>
public static class ArtifactPaths
{
    // How many rounds of percent-decoding a path is checked through (MLflow's _decode stops after 10; 5 unwraps any
    // encoding a client plausibly applies).
    private const int DecodingRounds = 5;

    /// <summary>
    /// Returns the path normalised to '/' separators without leading or trailing '/' or '.' segments, or throws
    /// <see cref="ArgumentException"/>. The path is taken as written: it was decoded once where it arrived (routing,
    /// a query string) and is never decoded again, so MLflow's <c>log_image</c> names keep their <c>%step%23%</c>.
    /// A path is still refused when a decoding of it would leave the root (<c>%2e%2e/</c>): clients decode escapes in
    /// names they send back (Python's requests turns <c>%2e</c> into <c>.</c>), so such a name is a trap, not a file.
    /// Control characters are refused too: no client writes them, and S3 cannot list them in XML.
    /// </summary>
    public static string Normalise(string? path) =>
        TryNormalise(path, out var normalised, out var problem) ? normalised : throw new ArgumentException(problem, nameof(path));

    /// <summary>
    /// <see cref="Normalise"/> without the exception, for listings: a stored name no request could name (written into a
    /// bucket by other means) is left out of a listing rather than failing it.
    /// </summary>
    public static bool TryNormalise(string? path, out string normalised, out string? problem)
    {
        normalised = string.Empty;
        problem = null;
        if (string.IsNullOrEmpty(path))
        {
            return true;
        }

        if (path.Contains('#', StringComparison.Ordinal) || path.Any(char.IsControl) || Escapes(path))
        {
            problem = $"Invalid artifact path '{Shown(path)}'.";
            return false;
        }

        var decoded = path;
        for (var i = 0; i < DecodingRounds && decoded.Contains('%', StringComparison.Ordinal); i++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                break;
            }

            decoded = next;
            if (Escapes(decoded))
            {
                problem = $"Invalid artifact path '{Shown(path)}': decoded, it leaves its folder.";
                return false;
            }
        }

        normalised = string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));
        return true;
    }

    /// <summary>A listed child's path (<paramref name="folder"/>/<paramref name="name"/>), or null when the name is not one a request could use.</summary>
    public static string? ListedChild(string folder, string name) =>
        !name.Contains('/', StringComparison.Ordinal) && name is not ("." or "..") && TryNormalise(name, out var child, out _) && child.Length > 0
            ? (folder.Length == 0 ? child : folder + "/" + child)
            : null;

    /// <summary>Joins two relative artifact paths.</summary>
    public static string Combine(string? left, string right)
    {
        var l = Normalise(left);
        var r = Normalise(right);
        return l.Length == 0 ? r : r.Length == 0 ? l : l + "/" + r;
    }

    // What would take a path out of its root: another separator, an absolute or drive path, a '..' segment. (A decoded
    // NUL or control character is no escape: "%2500" in a log_image name decodes to one, and stays text here.)
    private static bool Escapes(string path) =>
        path.Contains('\\', StringComparison.Ordinal) || path.StartsWith('/') || (path.Length >= 2 && path[1] == ':') || path.Split('/').Any(p => p == "..");

    private static string Shown(string path) => string.Concat(path.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}
