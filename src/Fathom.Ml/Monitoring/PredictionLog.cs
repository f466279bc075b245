using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Fathom.Monitoring;

/// <summary>
/// The sampled, asynchronous prediction log of a served model: a request hands its texts and scores over and goes
/// on; a background writer measures the sampled reviews (<see cref="ReviewTraits"/>) and appends JSON lines to
/// <c>predictions-*.jsonl</c> files in one folder, rotated by size with the oldest removed, so disk use is bounded.
/// When the writer falls behind, whole requests are dropped (and counted), never waited for.
/// </summary>
internal sealed partial class PredictionLog : IAsyncDisposable
{
    public const string FilePrefix = "predictions-";

    private readonly Channel<(string[] Texts, float[] Scores, long TimeMs)> _queue =
        Channel.CreateBounded<(string[], float[], long)>(new BoundedChannelOptions(4_096) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly PredictionLogOptions _options;
    private readonly TrainingVocabulary? _vocabulary;
    private readonly string _model;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private long _dropped;

    public PredictionLog(PredictionLogOptions options, TrainingVocabulary? vocabulary, string model, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _vocabulary = vocabulary;
        _model = model;
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(options.Folder);
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Requests dropped because the writer was behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Hands one scored request over, if the sample takes it; never blocks.</summary>
    public void Offer(string[] texts, float[] scores)
    {
        if (_options.SampleRate < 1 && Random.Shared.NextDouble() >= _options.SampleRate)
        {
            return;
        }

        if (!_queue.Writer.TryWrite((texts, scores, _time.GetUtcNow().ToUnixTimeMilliseconds())))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        FileStream? file = null;
        // One request's lines are written into this buffer and go to the file in one write; the writer is reset
        // per line, so each line is a JSON document of its own.
        var lines = new ArrayBufferWriter<byte>(1 << 16);
        using var json = new Utf8JsonWriter(lines);
        try
        {
            await foreach (var (texts, scores, time) in _queue.Reader.ReadAllAsync())
            {
                if (file is null || file.Length >= _options.MaxFileBytes)
                {
                    if (file is not null)
                    {
                        await file.DisposeAsync();
                    }

                    file = OpenNext(time);
                }

                lines.ResetWrittenCount();
                for (var i = 0; i < texts.Length; i++)
                {
                    var traits = ReviewTraits.Of(texts[i], _vocabulary);
                    json.Reset();
                    json.WriteStartObject();
                    json.WriteNumber("time", time);
                    json.WriteNumber("score", Math.Round(scores[i], 6));
                    json.WriteNumber("words", traits.Words);
                    if (double.IsNaN(traits.OutOfVocabularyRate))
                    {
                        json.WriteNull("oov_rate");
                    }
                    else
                    {
                        json.WriteNumber("oov_rate", Math.Round(traits.OutOfVocabularyRate, 6));
                    }

                    json.WriteString("model", _model);
                    json.WriteEndObject();
                    json.Flush();
                    lines.Write("\n"u8);
                }

                file.Write(lines.WrittenSpan);
                if (_queue.Reader.Count == 0)
                {
                    await file.FlushAsync();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full or read-only disk stops the log, never the serving.
            LogWriteFailed(_logger, _options.Folder, e.Message);
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync();
            }
        }
    }

    private FileStream OpenNext(long timeMs)
    {
        // Names sort by time, so the oldest is the first and a report can skip files older than --since by name.
        var name = FilePrefix + DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + $"-{Environment.ProcessId}.jsonl";
        var file = new FileStream(Path.Combine(_options.Folder, name), FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        foreach (var old in PredictionLogReader.Files(_options.Folder).SkipLast(_options.MaxFiles))
        {
            File.Delete(old);
        }

        return file;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The prediction log in {Folder} stopped: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string folder, string reason);
}
