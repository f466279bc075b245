using System.Globalization;
using System.Text;

namespace Fathom.Reviews;

/// <summary>
/// Reads the IMDB folder layout <c>&lt;dir&gt;/{train,test}/{pos,neg}/&lt;id&gt;_&lt;rating&gt;.txt</c>, or a split
/// folder pointed at directly (<c>&lt;dir&gt;/train</c> holding <c>{pos,neg}/…</c>). Files are read as UTF-8
/// (invalid bytes are an error, not silently replaced); a file that cannot be read or is misnamed is reported
/// through the callback and skipped.
/// </summary>
internal static class ReviewFolderReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Lists the review files lazily, in a stable order (split, label, then file name, ordinal).</summary>
    /// <param name="folder">The layout root or one split folder.</param>
    /// <param name="split">Only this split (e.g. <c>train</c>), or all when null; ignored for a split folder.</param>
    /// <param name="onError">Told about misnamed <c>.txt</c> files.</param>
    public static IEnumerable<ReviewFile> ListFiles(string folder, string? split, Action<ReviewReadError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(onError);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Review folder '{folder}' does not exist.");
        }

        var fullPath = Path.GetFullPath(folder);
        if (IsSplitFolder(fullPath))
        {
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(fullPath));
            return ListSplit(fullPath, name, onError);
        }

        var splits = Directory.EnumerateDirectories(fullPath)
            .Where(IsSplitFolder)
            .Select(d => Path.GetFileName(d))
            .Where(name => split is null || string.Equals(name, split, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (splits.Count == 0)
        {
            throw new DirectoryNotFoundException(
                $"'{folder}' is not a review folder: expected {{train,test}}/{{pos,neg}}/<id>_<rating>.txt or {{pos,neg}}/<id>_<rating>.txt"
                + (split is null ? "." : $" with split '{split}'."));
        }

        return splits.SelectMany(s => ListSplit(Path.Combine(fullPath, s), s, onError));
    }

    /// <summary>
    /// The folders reviews are read from under <paramref name="folder"/>: the folder itself when it is a split folder
    /// (<c>{pos,neg}/…</c>), else each of its split folders (<c>train/</c>, <c>test/</c>, …). Empty when it is neither.
    /// </summary>
    public static IEnumerable<string> SplitFolders(string folder)
    {
        var fullPath = Path.GetFullPath(folder);
        if (!Directory.Exists(fullPath))
        {
            return [];
        }

        return IsSplitFolder(fullPath) ? [fullPath] : Directory.EnumerateDirectories(fullPath).Where(IsSplitFolder);
    }

    /// <summary>Reads every review of the layout lazily; see <see cref="ListFiles"/>.</summary>
    public static IEnumerable<Review> Read(string folder, string? split, Action<ReviewReadError> onError)
    {
        foreach (var file in ListFiles(folder, split, onError))
        {
            var text = TryReadText(file.Path, onError);
            if (text is not null)
            {
                yield return new Review(file.Id, file.Rating, file.Label, text, file.Path, file.Split);
            }
        }
    }

    /// <summary>
    /// Reads one file as strict UTF-8, or reports why it cannot and returns null. Only regular files are read: a FIFO
    /// (which would block the read until something writes to it), a device or a socket named like a review is reported
    /// as skipped.
    /// </summary>
    public static string? TryReadText(string path, Action<ReviewReadError> onError)
    {
        try
        {
            if (Data.UnixFile.ReadRegular(path, out var kind) is not { } bytes)
            {
                onError(new ReviewReadError(path, $"not a regular file ({kind}); skipped"));
                return null;
            }

            return Decode(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            onError(new ReviewReadError(path, Describe(e)));
            return null;
        }
    }

    /// <inheritdoc cref="TryReadText(string, Action{ReviewReadError})"/>
    /// <remarks>Review files are small: read synchronously on the caller's worker, as batch prediction does.</remarks>
    public static Task<string?> TryReadTextAsync(string path, Action<ReviewReadError> onError, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(TryReadText(path, onError));
    }

    /// <summary>
    /// Strict UTF-8, a UTF-8 BOM skipped. Not File.ReadAllText: it honours UTF-16/32 byte order marks, so a
    /// corrupt file starting with FF FE would be silently read as UTF-16 instead of being reported.
    /// </summary>
    private static string Decode(byte[] bytes)
    {
        var span = bytes.AsSpan();
        return StrictUtf8.GetString(span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? span[3..] : span);
    }

    /// <summary>Parses <c>&lt;id&gt;_&lt;rating&gt;.txt</c>.</summary>
    public static bool TryParseFileName(string fileName, out int id, out int rating)
    {
        id = rating = 0;
        var stem = Path.GetFileNameWithoutExtension(fileName.AsSpan());
        var underscore = stem.IndexOf('_');
        return underscore > 0
            && int.TryParse(stem[..underscore], NumberStyles.None, CultureInfo.InvariantCulture, out id)
            && int.TryParse(stem[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out rating);
    }

    internal static string Describe(Exception e) => e switch
    {
        DecoderFallbackException => "not valid UTF-8",
        UnauthorizedAccessException => "access denied",
        FileNotFoundException => "file disappeared while reading",
        _ => e.Message,
    };

    private static bool IsSplitFolder(string folder) =>
        Directory.Exists(Path.Combine(folder, ReviewLabels.Positive)) || Directory.Exists(Path.Combine(folder, ReviewLabels.Negative));

    private static IEnumerable<ReviewFile> ListSplit(string splitFolder, string split, Action<ReviewReadError> onError)
    {
        foreach (var label in new[] { ReviewLabel.Negative, ReviewLabel.Positive })
        {
            var labelName = ReviewLabels.ToName(label);
            var labelFolder = Path.Combine(splitFolder, labelName);
            if (!Directory.Exists(labelFolder))
            {
                continue;
            }

            // Sorted so that reading, and so training, does not depend on the file system's enumeration order.
            var files = Directory.EnumerateFiles(labelFolder, "*.txt").Order(StringComparer.Ordinal).ToList();
            foreach (var path in files)
            {
                var fileName = Path.GetFileName(path);
                if (!TryParseFileName(fileName, out var id, out var rating))
                {
                    onError(new ReviewReadError(path, "file name is not <id>_<rating>.txt"));
                    continue;
                }

                yield return new ReviewFile(path, $"{split}/{labelName}/{fileName}", split, label, id, rating);
            }
        }
    }
}
