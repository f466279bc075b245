namespace Fathom.Cli.Tests;

/// <summary><c>fathom config show</c>, <c>train</c> and <c>prep</c> with a <c>conf/base</c>, as a user types them.</summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void Conf(string name, string yaml)
    {
        var path = Path.Combine(_dir.Path, "conf", "base", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
    }

    [Fact]
    public async Task ConfigShow_OverridesWithAList_PrintsTheComposedYaml()
    {
        Conf("pipelines.yml", "data_prep:\n  raw_dirs_paths:\n    - ./data/raw/set1\n  processed_data_path: ./data/processed\ntrain:\n  val_split: 0.2\n  data_path: ${data_prep.processed_data_path}\n");
        var result = await CliSteps.Ok(_dir.Path, "config", "show", "train.val_split=0.3", "data_prep.raw_dirs_paths=[a,b]");
        Assert.Equal("data_prep:\n  raw_dirs_paths:\n  - a\n  - b\n  processed_data_path: ./data/processed\ntrain:\n  val_split: 0.3\n  data_path: ${data_prep.processed_data_path}\n", result.Stdout);
        var resolved = await CliSteps.Ok(_dir.Path, "config", "show", "--resolve", "data_prep.raw_dirs_paths+=c");
        Assert.Contains("  data_path: ./data/processed\n", resolved.Stdout, StringComparison.Ordinal);
        Assert.Contains("  - ./data/raw/set1\n  - c\n", resolved.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigShow_UnknownKey_OneLineWithTheFixAndExit2()
    {
        Conf("pipelines.yml", "train:\n  val_split: 0.2\n");
        var result = await FathomProcess.RunAsync(_dir.Path, "config", "show", "train.val_splt=0.3");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("override #1, column 1: train.val_splt: Could not override 'train.val_splt'. To append to your config use +train.val_splt=0.3", result.Stderr, StringComparison.Ordinal);
        var parse = await FathomProcess.RunAsync(_dir.Path, "config", "show", "train.val_split=[0.3");
        Assert.Equal(2, parse.ExitCode);
        Assert.Contains("missing ']' at '<EOF>' at column 21", parse.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_WithConfAndOverride_LogsParamAndHydraArtifacts()
    {
        Conf("pipelines.yml", $"train:\n  data_path: {RepositorySamples.Imdb}\n  val_split: 0.2\n  seed: 42\n  optimiser: lbfgs\n  max_iterations: 5\n  ngram_length: 1\n");
        var result = await CliSteps.Ok(_dir.Path, "train", "--experiment", "conf", "train.val_split=0.3", "--json");
        var runId = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement.GetProperty("run_id").GetString()!;
        var run = (await CliSteps.Ok(_dir.Path, "runs", "show", runId, "--json")).Stdout;
        Assert.Matches("\"key\": \"train.val_split\",\\s*\"value\": \"0.3\"", run);
        Assert.Matches("\"key\": \"validation_fraction\",\\s*\"value\": \"0.3\"", run);
        Assert.Contains(".hydra/config.yaml", run, StringComparison.Ordinal);
        Assert.Contains(".hydra/overrides.yaml", run, StringComparison.Ordinal);
        var overrides = Directory.EnumerateFiles(Path.Combine(_dir.Path, "outputs"), "overrides.yaml", SearchOption.AllDirectories).Single();
        Assert.Equal("- train.val_split=0.3\n", File.ReadAllText(overrides));
    }

    [Fact]
    public async Task Train_ConfigValueOutOfRange_NamesFileLineAndKey()
    {
        Conf("pipelines.yml", $"train:\n  data_path: {RepositorySamples.Imdb}\n  val_split: 1.5\n");
        var result = await FathomProcess.RunAsync(_dir.Path, "train");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("pipelines.yml:3: train.val_split: Invalid value '1.5' for training option 'validation_fraction'", result.Stderr, StringComparison.Ordinal);
    }
}
