using Fathom.Support;

namespace Fathom.Reviews;

public sealed class ReviewPreparationTests
{
    [Fact]
    public async Task PrepareAsync_TwoRawFoldersWithABadFile_WritesOneCleanedLayoutAndReportsTheBadFile()
    {
        using var temp = new TempFolder();
        var first = temp.Combine("raw1");
        var second = temp.Combine("raw2");
        var train = SyntheticReviews.Generate(20, seed: 1, split: "train");
        var test = SyntheticReviews.Generate(10, seed: 2, split: "test");
        SyntheticReviews.WriteFolder(first, train);
        SyntheticReviews.WriteFolder(second, test);
        File.WriteAllBytes(Path.Combine(second, "test", "neg", "500_1.txt"), [0xc3, 0x28]);
        var reports = new List<ReviewPreparationProgress>();
        var output = temp.Combine("processed");

        var result = await ReviewPreparation.PrepareAsync([first, second], output, new SyncProgress<ReviewPreparationProgress>(reports.Add), CancellationToken.None);

        Assert.Equal((30, 30), (result.Read, result.Written));
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal((Path.Combine(second, "test", "neg", "500_1.txt"), "not valid UTF-8"), (skipped.Path, skipped.Reason));
        Assert.Equal(new ReviewPreparationProgress(31, 31), reports[^1]);
        foreach (var review in train.Concat(test))
        {
            var path = Path.Combine(output, review.Split!, ReviewLabels.ToName(review.Label!.Value), $"{review.Id}_{review.Rating}.txt");
            Assert.Equal(ReviewCleaner.Clean(review.Text), File.ReadAllText(path));
        }

        Assert.Empty(Directory.EnumerateFiles(output, "*.tmp", SearchOption.AllDirectories));
        var reread = ReviewFolderReader.Read(output, null, e => Assert.Fail(e.Reason)).ToList();
        Assert.Equal(30, reread.Count);
    }

    [Theory]
    [InlineData("raw", "raw", "is the input folder")]
    [InlineData("raw", ".", "holds the input folder")]
    [InlineData("raw/train", "raw", "holds the input folder")]
    [InlineData("raw", "raw/train", "train', a split folder prep reads reviews from")]
    [InlineData("raw", "raw/train/pos/cleaned", "train', a split folder prep reads reviews from")]
    [InlineData("raw/train", "raw/train/cleaned", "train', a split folder prep reads reviews from")]
    [InlineData("raw", "alias-of-raw", "is the input folder")]
    [InlineData("alias-of-raw", "raw/train/x", "train', a split folder prep reads reviews from")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task PrepareAsync_OutputOverlappingTheInput_IsRefusedAndTheRawReviewsStayAsTheyWere(string input, string output, string problem)
    {
        using var temp = new TempFolder();
        var raw = temp.Combine("raw");
        SyntheticReviews.WriteFolder(raw, SyntheticReviews.Generate(10, seed: 3, split: "train"));
        Directory.CreateSymbolicLink(temp.Combine("alias-of-raw"), raw);
        var before = Directory.GetFiles(raw, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ReviewPreparation.PrepareAsync([temp.Combine(input)], Path.GetFullPath(output, temp.Path), null, CancellationToken.None));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(raw, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText));
    }

    [Fact]
    public async Task PrepareAsync_OutputInsideTheInputRootBesideItsSplits_IsAllowedAsTheReferencePipelineDoes()
    {
        using var temp = new TempFolder();
        var raw = temp.Combine("imdb");
        SyntheticReviews.WriteFolder(raw, SyntheticReviews.Generate(6, seed: 4, split: "train"));

        var result = await ReviewPreparation.PrepareAsync([raw], Path.Combine(raw, "pipeline", "out", "processed"), null, CancellationToken.None);

        Assert.Equal(6, result.Written);
        Assert.Equal(6, ReviewFolderReader.Read(raw, null, e => Assert.Fail(e.Reason)).Count());
    }

    [Fact]
    public async Task PrepareAsync_SplitFolderAndDuplicatePath_WritesUnderSplitNameAndKeepsTheFirst()
    {
        using var temp = new TempFolder();
        var reviews = SyntheticReviews.Generate(4, seed: 5, split: "train");
        SyntheticReviews.WriteFolder(temp.Combine("a"), reviews);
        SyntheticReviews.WriteFolder(temp.Combine("b"), reviews.Take(1));
        var output = temp.Combine("out");

        var result = await ReviewPreparation.PrepareAsync([temp.Combine("a", "train"), temp.Combine("b")], output, null, CancellationToken.None);

        Assert.Equal(4, result.Written);
        Assert.Contains("which was kept", Assert.Single(result.Skipped).Reason, StringComparison.Ordinal);
        Assert.Equal(4, Directory.EnumerateFiles(Path.Combine(output, "train"), "*.txt", SearchOption.AllDirectories).Count());
    }

}
