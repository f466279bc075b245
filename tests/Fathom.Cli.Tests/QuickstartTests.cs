namespace Fathom.Cli.Tests;

public sealed class QuickstartTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Quickstart_OnSample_RunsEveryStepAndLeavesTrackedRuns()
    {
        var result = await FathomProcess.RunAsync(_dir.Path, "quickstart", "--data", RepositorySamples.Imdb);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var step in new[] { "1/4", "2/4", "3/4", "4/4", "Cleaned 1,400 of 1,400 reviews", "→ 200", "\"review_id\":9176", "done" })
        {
            Assert.Contains(step, result.Stdout, StringComparison.Ordinal);
        }

        var runId = result.StdoutLines[^1];
        Assert.Matches("^[0-9a-f]{32}$", runId);
        Assert.Equal(400, File.ReadAllLines(_dir.Combine("out", "quickstart", "predictions.jsonl")).Length);
        Assert.Equal(1400, Directory.EnumerateFiles(_dir.Combine("out", "quickstart", "processed"), "*.txt", SearchOption.AllDirectories).Count());
        var runs = await FathomProcess.RunAsync(_dir.Path, "runs", "list", "--experiment", "quickstart");
        Assert.Contains("quickstart-train", runs.Stdout, StringComparison.Ordinal);
        Assert.Contains("prep", runs.Stdout, StringComparison.Ordinal);
    }
}
