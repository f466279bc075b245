using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Fathom.Reviews;

namespace Fathom.Sentiment;

/// <summary>
/// Scores every <c>*.txt</c> file of a folder and writes one JSON line per file:
/// <c>{"time": "2022-01-06T06:40:27+0000", "filepath": "…", "logit_prob": 0.0063, "sentiment": "negative"}</c>
/// (the reference batch job's format: UTC time to the second with a literal <c>+0000</c>; <c>logit_prob</c> is the
/// probability of "positive", named as in the reference).
/// </summary>
/// <remarks>
/// A streaming pipeline whose memory does not grow with the number of files: the folder is enumerated lazily
/// into a bounded channel, one worker per core reads, cleans and scores batches of files, and a single writer owns
/// the output stream. Lines therefore come out in completion order, not enumeration order; every readable file
/// gets exactly one line. Unreadable files (path and reason) are collected and returned, and do not stop the run.
/// </remarks>
internal sealed class BatchPredictor(SentimentModel model, TimeProvider? timeProvider = null)
{
    /// <summary>Files scored per model call; one pooled engine serves the whole batch.</summary>
    private const int BatchSize = 32;

    // The output is a data file, not HTML: keep non-ASCII paths readable instead of \u-escaping them.
    private static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly SentimentModel _model = model ?? throw new ArgumentNullException(nameof(model));
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Scores the folder into a JSON Lines file, written to a temp name and renamed when complete.</summary>
    public async Task<BatchPredictionResult> PredictAsync(
        string inputFolder,
        string outputFile,
        bool recursive,
        IProgress<BatchPredictionProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputFile);
        var fullOutput = Path.GetFullPath(outputFile);
        Directory.CreateDirectory(Path.GetDirectoryName(fullOutput)!);
        var temp = $"{fullOutput}.{Guid.NewGuid():N}.tmp";
        try
        {
            BatchPredictionResult result;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                result = await PredictAsync(inputFolder, stream, recursive, progress, cancellationToken);
            }

            File.Move(temp, fullOutput, overwrite: true);
            return result;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Scores the folder into <paramref name="output"/> (left open).</summary>
    public async Task<BatchPredictionResult> PredictAsync(
        string inputFolder,
        Stream output,
        bool recursive,
        IProgress<BatchPredictionProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputFolder);
        ArgumentNullException.ThrowIfNull(output);
        if (!Directory.Exists(inputFolder))
        {
            throw new DirectoryNotFoundException($"Input folder '{inputFolder}' does not exist.");
        }

        var started = _time.GetTimestamp();
        var workers = Environment.ProcessorCount;
        var paths = Channel.CreateBounded<string[]>(new BoundedChannelOptions(workers * 4) { SingleWriter = true });
        var chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(workers * 4) { SingleReader = true });
        var failed = new ConcurrentQueue<ReviewReadError>();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = linked.Token;

        var producer = Task.Run(() => ProduceAsync(Path.GetFullPath(inputFolder), recursive, paths.Writer, token), token);
        var scorers = Enumerable.Range(0, workers)
            .Select(_ => Task.Run(() => ScoreAsync(paths.Reader, chunks.Writer, failed, token), token))
            .ToArray();
        var completion = Task.WhenAll(scorers).ContinueWith(
            t => chunks.Writer.TryComplete(t.Exception?.GetBaseException()), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        long done = 0;
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(token))
            {
                await output.WriteAsync(chunk.Bytes.AsMemory(0, chunk.Length), token);
                ArrayPool<byte>.Shared.Return(chunk.Bytes);
                done += chunk.Lines;
                progress?.Report(new BatchPredictionProgress(done, failed.Count));
            }

            await output.FlushAsync(token);
            await Task.WhenAll(producer, completion);
        }
        catch
        {
            // One stage failed (or the caller cancelled): stop the others before the exception leaves.
            await linked.CancelAsync();
            throw;
        }

        return new BatchPredictionResult(done, [.. failed.OrderBy(f => f.Path, StringComparer.Ordinal)], _time.GetElapsedTime(started));
    }

    private static async Task ProduceAsync(string folder, bool recursive, ChannelWriter<string[]> writer, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = recursive, MatchType = MatchType.Simple };
            var batch = new List<string>(BatchSize);
            foreach (var path in Directory.EnumerateFiles(folder, "*.txt", options))
            {
                batch.Add(path);
                if (batch.Count == BatchSize)
                {
                    await writer.WriteAsync([.. batch], cancellationToken);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await writer.WriteAsync([.. batch], cancellationToken);
            }
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            writer.TryComplete(error);
        }
    }

    private async Task ScoreAsync(ChannelReader<string[]> paths, ChannelWriter<Chunk> chunks, ConcurrentQueue<ReviewReadError> failed, CancellationToken cancellationToken)
    {
        var texts = new string[BatchSize];
        var scored = new string[BatchSize];
        var probabilities = new float[BatchSize];
        var buffer = new ArrayBufferWriter<byte>(BatchSize * 160);
        await foreach (var batch in paths.ReadAllAsync(cancellationToken))
        {
            var count = 0;
            foreach (var path in batch)
            {
                // Review files are small: a synchronous read beats async overhead, and each worker owns a thread.
                var text = ReviewFolderReader.TryReadText(path, failed.Enqueue);
                if (text is not null)
                {
                    texts[count] = text;
                    scored[count++] = path;
                }
            }

            if (count == 0)
            {
                continue;
            }

            _model.PredictProbabilities(texts.AsSpan(0, count), probabilities);
            var time = FormatTime(_time.GetUtcNow());
            buffer.ResetWrittenCount();
            for (var i = 0; i < count; i++)
            {
                WriteLine(buffer, time, scored[i], probabilities[i]);
            }

            var bytes = ArrayPool<byte>.Shared.Rent(buffer.WrittenCount);
            buffer.WrittenSpan.CopyTo(bytes);
            await chunks.WriteAsync(new Chunk(bytes, buffer.WrittenCount, count), cancellationToken);
        }
    }

    /// <summary>
    /// One output line with the key order and separators of the reference job's Python <c>json.dumps</c> (<c>", "</c>,
    /// <c>": "</c>), so outputs of the two compare line by line; Utf8JsonWriter has no such
    /// spacing, so only the path goes through the JSON encoder.
    /// </summary>
    internal static void WriteLine(IBufferWriter<byte> buffer, string time, string path, float probability)
    {
        buffer.Write("{\"time\": \""u8);
        WriteAscii(buffer, time);
        buffer.Write("\", \"filepath\": \""u8);
        buffer.Write(JsonEncodedText.Encode(path, JsonEncoder).EncodedUtf8Bytes);
        buffer.Write("\", \"logit_prob\": "u8);
        // float, not double: the shortest text that round-trips the model's float32 output (0.0063, not 0.006300000008195639).
        var span = buffer.GetSpan(32);
        probability.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture);
        // .NET and Python switch to an exponent at the same place (below 1e-4) but Python writes it lower-case: 1e-06.
        var e = span[..written].IndexOf((byte)'E');
        if (e >= 0)
        {
            span[e] = (byte)'e';
        }

        buffer.Advance(written);
        buffer.Write(", \"sentiment\": \""u8);
        WriteAscii(buffer, SentimentModel.SentimentOf(probability));
        buffer.Write("\"}\n"u8);
    }

    private static void WriteAscii(IBufferWriter<byte> buffer, string ascii)
    {
        var span = buffer.GetSpan(ascii.Length);
        var written = System.Text.Encoding.ASCII.GetBytes(ascii, span);
        buffer.Advance(written);
    }

    /// <summary>The reference time format: UTC, to the second, with a literal <c>+0000</c> offset.</summary>
    internal static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture);

    private sealed record Chunk(byte[] Bytes, int Length, int Lines);
}
