using System.Text;
using System.Text.Json;
using Fathom.Support;

namespace Fathom.Sentiment;

[Collection(TrainedModelGroup.Name)]
public sealed class BatchPredictorTests(TrainedModelFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2022, 1, 6, 6, 40, 27, 123, TimeSpan.Zero);

    [Fact]
    public async Task PredictAsync_FolderWithAnUnreadableFile_WritesOneJsonLinePerReadableFileAndReportsTheOther()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("in");
        Directory.CreateDirectory(Path.Combine(input, "nested"));
        var files = new Dictionary<string, string>();
        foreach (var (review, i) in fixture.Test.Take(70).Select((r, i) => (r, i)))
        {
            var path = Path.Combine(input, i % 5 == 0 ? "nested" : "", $"{i}_{review.Rating}.txt");
            File.WriteAllText(path, review.Text);
            files[path] = review.Text;
        }

        var bad = Path.Combine(input, "bad.txt");
        File.WriteAllBytes(bad, [0xff, 0xfe, 0x00]);
        File.WriteAllText(Path.Combine(input, "ignored.json"), "{}");
        var reports = new List<BatchPredictionProgress>();
        using var output = new MemoryStream();

        var result = await new BatchPredictor(fixture.Model, new FixedTimeProvider(Now))
            .PredictAsync(input, output, recursive: true, new SyncProgress<BatchPredictionProgress>(reports.Add), CancellationToken.None);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal("", lines[^1]);
        Assert.Equal(70, lines.Length - 1);
        Assert.Equal(70, result.FilesScored);
        Assert.Equal((bad, "not valid UTF-8"), (Assert.Single(result.Failed).Path, result.Failed[0].Reason));
        Assert.Equal(70, reports[^1].FilesDone);
        var seen = new HashSet<string>();
        foreach (var line in lines[..^1])
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(["time", "filepath", "logit_prob", "sentiment"], json.RootElement.EnumerateObject().Select(p => p.Name));
            var time = json.RootElement.GetProperty("time").GetString()!;
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$", time);
            Assert.Equal("2022-01-06T06:40:27+0000", time);
            var path = json.RootElement.GetProperty("filepath").GetString()!;
            Assert.True(seen.Add(path), $"{path} twice");
            var probability = json.RootElement.GetProperty("logit_prob").GetSingle();
            Assert.Equal(fixture.Model.PredictProbability(files[path]), probability);
            Assert.Equal(SentimentModel.SentimentOf(probability), json.RootElement.GetProperty("sentiment").GetString());
        }

        Assert.Equal(files.Keys.Order(), seen.Order());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task PredictAsync_FolderHoldingAFifoNamedLikeAReview_ScoresTheRestAndReportsItSkipped()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("in");
        Directory.CreateDirectory(input);
        foreach (var (review, i) in fixture.Test.Take(5).Select((r, i) => (r, i)))
        {
            File.WriteAllText(Path.Combine(input, $"{i}_{review.Rating}.txt"), review.Text);
        }

        // No process ever writes to it: opening it to read would wait forever.
        var fifo = Path.Combine(input, "fifo.txt");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        using var output = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var result = await new BatchPredictor(fixture.Model, new FixedTimeProvider(Now)).PredictAsync(input, output, recursive: false, null, timeout.Token);

        Assert.Equal(5, result.FilesScored);
        Assert.Equal((fifo, "not a regular file (a FIFO); skipped"), (Assert.Single(result.Failed).Path, result.Failed[0].Reason));
    }

    [Fact]
    public async Task PredictAsync_NotRecursiveToFile_SkipsSubfoldersAndLeavesNoTempFile()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("in");
        Directory.CreateDirectory(Path.Combine(input, "nested"));
        File.WriteAllText(Path.Combine(input, "1_10.txt"), "A wonderful film.");
        File.WriteAllText(Path.Combine(input, "nested", "2_1.txt"), "An awful film.");
        var outputFile = temp.Combine("out", "predictions.jsonl");

        var result = await new BatchPredictor(fixture.Model, new FixedTimeProvider(Now))
            .PredictAsync(input, outputFile, recursive: false, null, CancellationToken.None);

        Assert.Equal(1, result.FilesScored);
        var line = Assert.Single(File.ReadAllLines(outputFile));
        Assert.Contains($"\"filepath\": \"{Path.Combine(input, "1_10.txt")}\"", line, StringComparison.Ordinal);
        Assert.Equal([outputFile], Directory.GetFiles(temp.Combine("out")));
    }

    [Fact]
    public void WriteLine_Probability_UsesTheReferenceFormat()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        BatchPredictor.WriteLine(buffer, BatchPredictor.FormatTime(Now), "/data/x é \"q\".txt", 0.0063f);

        Assert.Equal(
            "{\"time\": \"2022-01-06T06:40:27+0000\", \"filepath\": \"/data/x é \\\"q\\\".txt\", \"logit_prob\": 0.0063, \"sentiment\": \"negative\"}\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData(1e-6f, "1e-06")]
    [InlineData(1.5e-7f, "1.5e-07")]
    [InlineData(0.0001f, "0.0001")]
    [InlineData(1e-30f, "1e-30")]
    public void WriteLine_TinyProbability_IsWrittenAsPythonWritesIt(float probability, string expected)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        BatchPredictor.WriteLine(buffer, BatchPredictor.FormatTime(Now), "/a.txt", probability);

        Assert.Contains($"\"logit_prob\": {expected}, ", Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictAsync_MissingFolder_Throws()
    {
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() =>
            new BatchPredictor(fixture.Model).PredictAsync("/nonexistent/fathom", Stream.Null, false, null, CancellationToken.None));
    }

    [Fact]
    public void FormatTime_NonUtcOffset_ConvertsToUtc()
    {
        Assert.Equal("2022-01-06T04:40:27+0000", BatchPredictor.FormatTime(new DateTimeOffset(2022, 1, 6, 6, 40, 27, TimeSpan.FromHours(2))));
    }
}
