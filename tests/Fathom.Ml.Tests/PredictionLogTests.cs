using Fathom.Monitoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fathom.Ml.Tests;

public sealed class PredictionLogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fathom-predlog-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Offer_WritesFeaturesNotText_AndReadsBack()
    {
        var vocabulary = TrainingVocabulary.FromCleanTexts(["great film great acting plot", "bad film bad plot once"]);
        await using (var log = new PredictionLog(new PredictionLogOptions(_dir) { SampleRate = 1 }, vocabulary, "m1", TimeProvider.System, NullLogger.Instance))
        {
            log.Offer(["Great <b>film</b>!", "Secretword plot"], [0.9f, 0.2f]);
        }

        var text = string.Concat(PredictionLogReader.Files(_dir).Select(File.ReadAllText));
        var (sample, bad) = await PredictionLogReader.ReadAsync(_dir, since: null, CancellationToken.None);

        Assert.DoesNotContain("Secretword", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, bad);
        Assert.Equal([0.9, 0.2], sample.Scores.Select(s => Math.Round(s, 3)));
        Assert.Equal([2.0, 2.0], sample.Words); // counted after the cleaning the model applies (case, tags, punctuation)
        Assert.Equal([0.0, 0.5], sample.OutOfVocabularyRates);
    }

    [Fact]
    public async Task Log_RotatesBySize_AndKeepsAtMostMaxFiles()
    {
        var options = new PredictionLogOptions(_dir) { SampleRate = 1, MaxFileBytes = 4096, MaxFiles = 3 };
        await using (var log = new PredictionLog(options, null, "m1", TimeProvider.System, NullLogger.Instance))
        {
            for (var i = 0; i < 400; i++)
            {
                log.Offer(["some review text here"], [0.5f]);
                if (i % 50 == 0)
                {
                    await Task.Delay(20); // let the writer drain, so nothing is dropped and files roll over
                }
            }
        }

        var files = PredictionLogReader.Files(_dir).ToList();

        Assert.Equal(3, files.Count);
        Assert.All(files.SkipLast(1), f => Assert.InRange(new FileInfo(f).Length, 4096, 4096 + 200));
    }

    [Fact]
    public async Task Reader_CutLine_IsSkippedAndCounted()
    {
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Path.Combine(_dir, PredictionLog.FilePrefix + "20261207T000000000Z-1.jsonl"),
            "{\"time\":1,\"score\":0.7,\"words\":3,\"oov_rate\":0,\"model\":\"m\"}\n{\"time\":2,\"sco");

        var (sample, bad) = await PredictionLogReader.ReadAsync(_dir, since: null, CancellationToken.None);

        Assert.Equal(1, sample.Count);
        Assert.Equal(1, bad);
    }
}
