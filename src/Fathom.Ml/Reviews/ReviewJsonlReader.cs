using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Fathom.Reviews;

/// <summary>
/// Streams reviews from the data set's JSON Lines files (<c>*.jsonl.gz</c>, or plain <c>*.jsonl</c>), one line at a
/// time: memory holds one line, never the file. A malformed line is reported (<c>path:line</c> and why) and skipped;
/// invalid UTF-8 or a broken gzip stream is reported and ends that file, since nothing after it can be trusted.
/// </summary>
internal static class ReviewJsonlReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether a path names a JSON Lines review file this reader understands.</summary>
    public static bool IsJsonlPath(string path) =>
        path.EndsWith(".jsonl.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the reviews of one file lazily.</summary>
    /// <param name="path">A <c>.jsonl.gz</c> or <c>.jsonl</c> file.</param>
    /// <param name="onError">Told about each line or file that cannot be read.</param>
    /// <param name="split">The split to record on each review; by default the file name before the first dot (<c>train</c>).</param>
    public static IEnumerable<Review> Read(string path, Action<ReviewReadError> onError, string? split = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onError);
        split ??= Path.GetFileName(path).Split('.')[0];

        var reader = TryOpen(path, onError);
        if (reader is null)
        {
            yield break;
        }

        using (reader)
        {
            var lineNumber = 0;
            var reviews = 0;
            while (true)
            {
                var line = TryReadLine(reader, $"{path}:{lineNumber + 1}", onError, out var atEnd);
                if (line is null)
                {
                    if (atEnd && reader.BaseStream is CountingStream { Inner: GZipStream } text)
                    {
                        GzipTrailer.EnsureComplete(path, text.BytesRead, reviews);
                    }

                    yield break;
                }

                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var review = TryParse(line, $"{path}:{lineNumber}", split, out var reason);
                if (review is null)
                {
                    onError(new ReviewReadError($"{path}:{lineNumber}", reason!));
                    continue;
                }

                reviews++;
                yield return review;
            }
        }
    }

    /// <summary>Parses one JSON line into a review, or gives the reason it is malformed.</summary>
    public static Review? TryParse(string line, string sourcePath, string? split, out string? reason)
    {
        ReviewJsonLine? row;
        try
        {
            row = JsonSerializer.Deserialize(line, ReviewJsonContext.Default.ReviewJsonLine);
        }
        catch (JsonException e)
        {
            reason = $"invalid JSON: {e.Message}";
            return null;
        }

        reason = row switch
        {
            null => "not a JSON object",
            { Id: null } => "missing \"id\"",
            { Rating: null } => "missing \"rating\"",
            { Text: null } => "missing \"text\"",
            { Label: not null } when ReviewLabels.Parse(row.Label) is null => $"\"label\" must be \"pos\", \"neg\" or null, not \"{row.Label}\"",
            _ => null,
        };
        return reason is null
            ? new Review(row!.Id!.Value, row.Rating!.Value, ReviewLabels.Parse(row.Label), row.Text!, sourcePath, split)
            : null;
    }

    private static StreamReader? TryOpen(string path, Action<ReviewReadError> onError)
    {
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                stream = new CountingStream(new GZipStream(stream, CompressionMode.Decompress));
            }

            return new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            onError(new ReviewReadError(path, ReviewFolderReader.Describe(e)));
            return null;
        }
    }

    /// <summary>The next line, or null at the end or after a fault that ends the file (reported).</summary>
    private static string? TryReadLine(StreamReader reader, string where, Action<ReviewReadError> onError, out bool atEnd)
    {
        atEnd = false;
        try
        {
            var line = reader.ReadLine();
            atEnd = line is null;
            return line;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or DecoderFallbackException)
        {
            onError(new ReviewReadError(where, $"{ReviewFolderReader.Describe(e)}; rest of file skipped"));
            return null;
        }
    }
}
