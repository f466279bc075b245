using System.Collections.Concurrent;
using System.Text;

namespace Fathom.Reviews;

/// <summary>
/// The data-prep step: cleans the reviews of one or more raw folders (the IMDB layout) into one processed folder
/// with the same relative layout (<c>train/pos/&lt;id&gt;_&lt;rating&gt;.txt</c>, …). Files are processed in parallel
/// over all cores and each is written atomically (temp name, then rename), so a crash never leaves a truncated
/// review behind; a file that cannot be read or written is reported and skipped, and the step goes on.
/// </summary>
internal static class ReviewPreparation
{
    private const int ProgressEvery = 500;
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Cleans every review of <paramref name="rawFolders"/> into <paramref name="outputFolder"/>.</summary>
    /// <param name="rawFolders">Layout roots (<c>{train,test}/{pos,neg}</c>) or split folders (<c>{pos,neg}</c>, written under the folder's name).</param>
    /// <param name="outputFolder">Created if needed; files already there with the same names are replaced.</param>
    /// <param name="progress">Told every few hundred files and at the end.</param>
    /// <param name="cancellationToken">Stops the step; files already written stay (each is complete).</param>
    public static async Task<ReviewPreparationResult> PrepareAsync(
        IReadOnlyList<string> rawFolders,
        string outputFolder,
        IProgress<ReviewPreparationProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rawFolders);
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        if (rawFolders.Count == 0)
        {
            throw new ArgumentException("At least one raw folder is needed.", nameof(rawFolders));
        }

        if (OverlapRefusal(rawFolders, outputFolder) is { } overlap)
        {
            throw new ArgumentException(overlap);
        }

        var skipped = new ConcurrentQueue<ReviewReadError>();
        var files = CollectFiles(rawFolders, skipped);
        var output = Path.GetFullPath(outputFolder);
        foreach (var folder in files.Select(f => Path.GetDirectoryName(f.RelativePath)!).Distinct(StringComparer.Ordinal))
        {
            Directory.CreateDirectory(Path.Combine(output, folder));
        }

        int read = 0, written = 0, done = 0;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        await Parallel.ForEachAsync(files, parallel, async (file, ct) =>
        {
            var text = await ReviewFolderReader.TryReadTextAsync(file.Path, skipped.Enqueue, ct);
            if (text is not null)
            {
                Interlocked.Increment(ref read);
                if (await TryWriteAtomicallyAsync(Path.Combine(output, file.RelativePath), ReviewCleaner.Clean(text), skipped, ct))
                {
                    Interlocked.Increment(ref written);
                }
            }

            var now = Interlocked.Increment(ref done);
            if (now % ProgressEvery == 0)
            {
                progress?.Report(new ReviewPreparationProgress(now, files.Count));
            }
        });

        progress?.Report(new ReviewPreparationProgress(done, files.Count));
        return new ReviewPreparationResult(read, written, [.. skipped]);
    }

    /// <summary>
    /// Why <paramref name="outputFolder"/> may not be written: it is an input folder (cleaned files would replace the
    /// raw ones), holds one (its <c>train/pos/…</c> can be the input's own files), or lies inside a split folder of one,
    /// where reviews are read from (they would mix). A folder inside an input's root but beside its splits is fine: the
    /// reference pipeline keeps its outputs in <c>pipeline/out/</c> next to the sample's <c>train/</c> and <c>test/</c>,
    /// which no read or write of prep reaches. Paths are compared with every link resolved, so a link to the raw folder
    /// is the raw folder. Null when the output is apart.
    /// </summary>
    public static string? OverlapRefusal(IReadOnlyList<string> rawFolders, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(rawFolders);
        var output = Storage.PathConfinement.Resolved(outputFolder);
        foreach (var raw in rawFolders)
        {
            var input = Storage.PathConfinement.Resolved(raw);
            var problem = output == input ? $"is the input folder '{raw}'"
                : Storage.PathConfinement.IsInside(input, output) ? $"holds the input folder '{raw}'"
                : Storage.PathConfinement.IsInside(output, input) && ReviewFolderReader.SplitFolders(input).FirstOrDefault(s => Storage.PathConfinement.IsInside(output, Storage.PathConfinement.Resolved(s))) is { } split
                    ? $"lies inside '{split}', a split folder prep reads reviews from"
                : null;
            if (problem is not null)
            {
                return $"The output folder '{outputFolder}' {problem}: prep would overwrite or mix with the raw reviews; choose an output folder apart from the inputs.";
            }
        }

        return null;
    }

    /// <summary>Lists the files of all folders; a layout path seen twice keeps the first and reports the others.</summary>
    private static List<ReviewFile> CollectFiles(IReadOnlyList<string> rawFolders, ConcurrentQueue<ReviewReadError> skipped)
    {
        var byRelativePath = new Dictionary<string, ReviewFile>(StringComparer.Ordinal);
        var files = new List<ReviewFile>();
        foreach (var folder in rawFolders)
        {
            foreach (var file in ReviewFolderReader.ListFiles(folder, split: null, skipped.Enqueue))
            {
                if (byRelativePath.TryGetValue(file.RelativePath, out var first))
                {
                    skipped.Enqueue(new ReviewReadError(file.Path, $"same layout path {file.RelativePath} as {first.Path}, which was kept"));
                    continue;
                }

                byRelativePath.Add(file.RelativePath, file);
                files.Add(file);
            }
        }

        return files;
    }

    private static async Task<bool> TryWriteAtomicallyAsync(string path, string text, ConcurrentQueue<ReviewReadError> skipped, CancellationToken cancellationToken)
    {
        // Same folder as the target, so the rename is atomic on one file system; the name is unique per attempt.
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllTextAsync(temp, text, Utf8NoBom, cancellationToken);
            File.Move(temp, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temp);
            if (e is OperationCanceledException)
            {
                throw;
            }

            skipped.Enqueue(new ReviewReadError(path, $"cannot write: {ReviewFolderReader.Describe(e)}"));
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temp file is harmless (readers only take *.txt).
        }
    }
}
