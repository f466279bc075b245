using Fathom.Support;

namespace Fathom.Reviews;

public sealed class ReviewReaderTests
{
    private static readonly byte[] InvalidUtf8 = [0x47, 0x6f, 0xff, 0xfe, 0x6f, 0x64];

    [Fact]
    public void FolderReader_LayoutWithBadFiles_ReadsTheRestAndReportsEachBadFile()
    {
        using var temp = new TempFolder();
        SyntheticReviews.WriteFolder(temp.Path, SyntheticReviews.Generate(6, seed: 1, split: "train"));
        SyntheticReviews.WriteFolder(temp.Path, SyntheticReviews.Generate(4, seed: 2, split: "test"));
        File.WriteAllBytes(temp.Combine("train", "pos", "99_10.txt"), InvalidUtf8);
        File.WriteAllText(temp.Combine("train", "neg", "notes.txt"), "not a review name");
        File.WriteAllText(temp.Combine("train", "neg", "README.md"), "ignored: not .txt");
        var errors = new List<ReviewReadError>();

        var reviews = ReviewFolderReader.Read(temp.Path, split: null, errors.Add).ToList();

        Assert.Equal(10, reviews.Count);
        Assert.Equal(6, reviews.Count(r => r.Split == "train"));
        Assert.All(reviews, r => Assert.True(File.Exists(r.SourcePath)));
        var review = reviews.First(r => r.Split == "test" && r.Label == ReviewLabel.Positive);
        Assert.Equal(File.ReadAllText(review.SourcePath), review.Text);
        Assert.InRange(review.Rating, 7, 10);
        Assert.Collection(
            errors.OrderBy(e => e.Path, StringComparer.Ordinal),
            e => Assert.Equal((temp.Combine("train", "neg", "notes.txt"), "file name is not <id>_<rating>.txt"), (e.Path, e.Reason)),
            e => Assert.Equal((temp.Combine("train", "pos", "99_10.txt"), "not valid UTF-8"), (e.Path, e.Reason)));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void FolderReader_FifoAndDeviceLinkNamedLikeReviews_AreSkippedAndReportedNotRead()
    {
        using var temp = new TempFolder();
        SyntheticReviews.WriteFolder(temp.Path, SyntheticReviews.Generate(4, seed: 5, split: "train"));
        var fifo = temp.Combine("train", "pos", "900_10.txt");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        // A link to a device that never ends: reading it whole would never finish either.
        var device = temp.Combine("train", "neg", "901_1.txt");
        File.CreateSymbolicLink(device, "/dev/zero");
        var errors = new List<ReviewReadError>();

        var reviews = ReviewFolderReader.Read(temp.Path, null, errors.Add).ToList();

        Assert.Equal(4, reviews.Count);
        Assert.Equal(
            [(device, "not a regular file (a character device); skipped"), (fifo, "not a regular file (a FIFO); skipped")],
            errors.Select(e => (e.Path, e.Reason)).Order());
    }

    [Fact]
    public void FolderReader_OneSplitRequested_ReadsOnlyThatSplit()
    {
        using var temp = new TempFolder();
        SyntheticReviews.WriteFolder(temp.Path, SyntheticReviews.Generate(6, seed: 1, split: "train"));
        SyntheticReviews.WriteFolder(temp.Path, SyntheticReviews.Generate(4, seed: 2, split: "test"));

        var reviews = ReviewFolderReader.Read(temp.Path, "test", e => Assert.Fail(e.Reason)).ToList();

        Assert.Equal(4, reviews.Count);
        Assert.All(reviews, r => Assert.Equal("test", r.Split));
    }

    [Fact]
    public void FolderReader_PointedAtSplitFolder_ReadsItsPosAndNeg()
    {
        using var temp = new TempFolder();
        SyntheticReviews.WriteFolder(temp.Path, SyntheticReviews.Generate(6, seed: 1, split: "train"));

        var files = ReviewFolderReader.ListFiles(temp.Combine("train"), split: null, e => Assert.Fail(e.Reason)).ToList();

        Assert.Equal(6, files.Count);
        Assert.Equal(3, files.Count(f => f.Label == ReviewLabel.Positive));
        Assert.All(files, f => Assert.Matches(@"^train/(pos|neg)/\d+_\d+\.txt$", f.RelativePath));
    }

    [Fact]
    public void FolderReader_FolderWithoutLayout_ThrowsNamingTheExpectedLayout()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Combine("other"));

        var error = Assert.Throws<DirectoryNotFoundException>(() => ReviewFolderReader.ListFiles(temp.Path, null, _ => { }).ToList());

        Assert.Contains("{pos,neg}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonlReader_GzipWithMalformedLines_StreamsGoodLinesAndReportsBadOnes()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("train.jsonl.gz");
        var written = SyntheticReviews.Generate(5, seed: 3);
        SyntheticReviews.WriteJsonlGz(
            path, written,
            "{\"id\": 7, \"rating\": 3",
            "{\"id\": 8, \"rating\": 3, \"label\": \"meh\", \"text\": \"x\"}",
            "",
            "{\"id\": 9, \"rating\": 2, \"label\": null, \"text\": \"no label \\u0096 here\"}",
            "{\"id\": 10, \"label\": \"neg\", \"text\": \"no rating\"}");
        var errors = new List<ReviewReadError>();

        var reviews = ReviewJsonlReader.Read(path, errors.Add).ToList();

        Assert.Equal(6, reviews.Count);
        Assert.Equal(written.Select(r => (r.Id, r.Rating, r.Label, r.Text)), reviews.Take(5).Select(r => (r.Id, r.Rating, r.Label, r.Text)));
        Assert.All(reviews, r => Assert.Equal("train", r.Split));
        Assert.Equal($"{path}:1", reviews[0].SourcePath);
        Assert.Equal((9, (ReviewLabel?)null, "no label \u0096 here"), (reviews[5].Id, reviews[5].Label, reviews[5].Text));
        Assert.Equal([$"{path}:6", $"{path}:7", $"{path}:10"], errors.Select(e => e.Path));
        Assert.StartsWith("invalid JSON", errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("\"label\"", errors[1].Reason, StringComparison.Ordinal);
        Assert.Equal("missing \"rating\"", errors[2].Reason);
    }

    [Fact]
    public void JsonlReader_NotGzip_ReportsTheFileAndStops()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("broken.jsonl.gz");
        File.WriteAllText(path, "this is not gzip at all");
        var errors = new List<ReviewReadError>();

        var reviews = ReviewJsonlReader.Read(path, errors.Add).ToList();

        Assert.Empty(reviews);
        var error = Assert.Single(errors);
        Assert.StartsWith($"{path}:1", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonlReader_TruncatedGzip_FailsSayingHowMuchWasRead()
    {
        using var temp = new TempFolder();
        var whole = temp.Combine("whole.jsonl.gz");
        SyntheticReviews.WriteJsonlGz(whole, SyntheticReviews.Generate(400, seed: 5));
        var bytes = File.ReadAllBytes(whole);
        var path = temp.Combine("train.jsonl.gz");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);

        var error = Assert.Throws<InvalidDataException>(() => ReviewJsonlReader.Read(path, _ => { }).ToList());

        Assert.StartsWith($"{path}: the gzip data ends early", error.Message, StringComparison.Ordinal);
        Assert.Matches("[0-9,]+ reviews and [0-9,]+ bytes of text read", error.Message);
        Assert.Equal(400, ReviewJsonlReader.Read(whole, _ => { }).Count());
    }

    [Fact]
    public void ReviewReader_PathKinds_PicksTheReaderByPath()
    {
        using var temp = new TempFolder();
        SyntheticReviews.WriteFolder(temp.Combine("folder"), SyntheticReviews.Generate(4, seed: 1));
        SyntheticReviews.WriteJsonlGz(temp.Combine("test.jsonl.gz"), SyntheticReviews.Generate(3, seed: 1));

        Assert.Equal(4, ReviewReader.Read(temp.Combine("folder"), null, _ => { }).Count());
        Assert.Equal(3, ReviewReader.Read(temp.Combine("test.jsonl.gz"), null, _ => { }).Count());
        Assert.Throws<FileNotFoundException>(() => ReviewReader.Read(temp.Combine("missing.jsonl.gz"), null, _ => { }));
    }
}
