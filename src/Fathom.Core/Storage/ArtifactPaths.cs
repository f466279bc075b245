namespace Fathom.Storage;

/// <summary>Validates relative artifact paths the way MLflow does, so no request can reach outside the root.</summary>
public static class ArtifactPaths
{
    /// <summary>Returns the path normalised to '/' separators without leading or trailing '/', or throws <see cref="ArgumentException"/>.</summary>
    public static string Normalise(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return string.Empty;
        }

        // Decoding repeatedly defeats double-encoded traversal such as %252e%252e.
        var decoded = path;
        for (var i = 0; i < 5; i++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                break;
            }

            decoded = next;
        }

        if (decoded.Contains('\\', StringComparison.Ordinal) || decoded.Contains('#', StringComparison.Ordinal) || decoded.StartsWith('/')
            || (decoded.Length >= 2 && decoded[1] == ':') || decoded.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid artifact path '{path}'.", nameof(path));
        }

        var parts = decoded.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p == ".."))
        {
            throw new ArgumentException($"Invalid artifact path '{path}': '..' is not allowed.", nameof(path));
        }

        return string.Join('/', parts.Where(p => p != "."));
    }

    /// <summary>Joins two relative artifact paths.</summary>
    public static string Combine(string? left, string right)
    {
        var l = Normalise(left);
        var r = Normalise(right);
        return l.Length == 0 ? r : r.Length == 0 ? l : l + "/" + r;
    }
}
