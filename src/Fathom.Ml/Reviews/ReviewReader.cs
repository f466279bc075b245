namespace Fathom.Reviews;

/// <summary>Reads reviews from either kind of source, chosen by the path: a JSON Lines file or a folder layout.</summary>
internal static class ReviewReader
{
    /// <summary>Reads a <c>*.jsonl(.gz)</c> file, or the folder layout (optionally only one split of it).</summary>
    public static IEnumerable<Review> Read(string path, string? split, Action<ReviewReadError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path) && ReviewJsonlReader.IsJsonlPath(path))
        {
            return ReviewJsonlReader.Read(path, onError);
        }

        if (Directory.Exists(path))
        {
            return ReviewFolderReader.Read(path, split, onError);
        }

        throw new FileNotFoundException($"'{path}' is neither a *.jsonl(.gz) file nor a review folder.", path);
    }
}
