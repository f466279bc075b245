namespace Fathom.Cli.Tests;

/// <summary>One project folder with a model trained by the real <c>fathom train</c> on the bundled sample, shared by a test class.</summary>
public sealed class TrainedRunFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();

    public string Project => _dir.Path;

    public string RunId { get; private set; } = "";

    internal CliResult Train { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Train = await FathomProcess.RunAsync(Project, "train", "--data", RepositorySamples.Imdb, "--experiment", "cli-tests", "--set", "seed=7", "l2=0.2");
        Assert.True(Train.ExitCode == 0, Train.ToString());
        RunId = Train.StdoutLines[^1];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _dir.Dispose();
}
