using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom run -f</c> on an operation with a <c>matrix</c>: a study whose trials are job runs of the same file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JobMatrixTests : IDisposable
{
    private const string Component = """
        component:
          version: 1.1
          kind: component
          inputs:
            - {name: lr, type: float}
            - {name: bs, type: int}
          run:
            kind: job
            container:
              image: busybox
              command: [/bin/sh, -c]
              args: ["echo training with bs={{ bs }}; echo loss={{ lr }}"]
        """;

    private readonly TempDirectory _dir = new();
    private readonly Dictionary<string, string> _environment;

    public JobMatrixTests() => _environment = CliSteps.ShimEnvironment(_dir);

    public void Dispose() => _dir.Dispose();

    private Task<CliResult> Fathom(params string[] args) => FathomProcess.RunAsync(_dir.Path, _environment, TimeSpan.FromMinutes(5), args);

    private async Task<List<JsonElement>> JobRunsAsync()
    {
        var listed = await Fathom("ops", "ls", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        return [.. JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("runs").EnumerateArray()];
    }

    [Fact]
    public async Task Run_GridMatrix_RunsEveryCombinationAsAJobRunOfItsOwn()
    {
        File.WriteAllText(_dir.Combine("grid.yml"), $"""
            version: 1.1
            kind: operation
            name: toy
            matrix:
              kind: grid
              concurrency: 2
              params:
                lr: {"{"}kind: choice, value: [0.5, 0.1]{"}"}
                bs: {"{"}kind: range, value: [16, 48, 16]{"}"}
            {Component}
            """);

        var result = await Fathom("run", "-f", "grid.yml", "-p", "toys");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Matrix grid of ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("4 runs (2 at once) in project toys", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("4 complete, 0 pruned, 0 failed", result.Stdout, StringComparison.Ordinal);
        var runs = await JobRunsAsync();
        Assert.Equal(4, runs.Count);
        Assert.All(runs, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        var combos = new List<string>();
        foreach (var run in runs)
        {
            var get = JsonDocument.Parse((await Fathom("ops", "get", run.GetProperty("uuid").GetString()!, "--json")).Stdout).RootElement.GetProperty("inputs");
            combos.Add($"{get.GetProperty("lr").GetDouble()}/{get.GetProperty("bs").GetInt32()}");
        }

        Assert.Equal(["0.1/16", "0.1/32", "0.5/16", "0.5/32"], combos.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_HyperoptMatrix_OptimisesTheMetricTheJobPrintsAndTagsEachTrialRun()
    {
        File.WriteAllText(_dir.Combine("tune.yml"), $"""
            version: 1.1
            kind: operation
            name: toy
            matrix:
              kind: hyperopt
              algorithm: tpe
              numRuns: 5
              seed: 3
              metric: {"{"}name: loss, optimization: minimize{"}"}
              params:
                lr: {"{"}kind: choice, value: [0.5, 0.05, 0.3]{"}"}
            {Component}
            """);

        var result = await Fathom("run", "-f", "tune.yml", "-P", "bs=8", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(5, summary.GetProperty("trials").GetProperty("complete").GetInt32());
        var best = summary.GetProperty("best_trials")[0];
        var runs = await JobRunsAsync();
        Assert.Equal(5, runs.Count);
        var lrs = runs.Select(r => JsonDocument.Parse(Fathom("ops", "get", r.GetProperty("uuid").GetString()!, "--json").Result.Stdout)
            .RootElement.GetProperty("inputs").GetProperty("lr").GetDouble()).ToList();
        var bestLoss = best.GetProperty("values").GetProperty("loss").GetDouble();
        Assert.Equal(lrs.Min(), bestLoss);
        Assert.Equal(bestLoss, best.GetProperty("params").GetProperty("lr").GetDouble());
        var tag = summary.GetProperty("hptuning_tag").GetString();
        var tracked = await Fathom("runs", "search", $"tags.hptuning_tag = '{tag}'", "-e", "default", "--json");
        Assert.True(tracked.ExitCode == 0, tracked.ToString());
        Assert.Equal(5, JsonDocument.Parse(tracked.Stdout).RootElement.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task Run_MatrixThatCannotRun_OneClearLineAndNothingRuns()
    {
        File.WriteAllText(_dir.Combine("bad.yml"), $"""
            version: 1.1
            kind: operation
            matrix:
              kind: random
              params:
                lr: {"{"}kind: uniform, value: [0, 1]{"}"}
            {Component}
            """);

        var result = await Fathom("run", "-f", "bad.yml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad.yml:4: matrix.numRuns: is required for a random search", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine(".fathom", "jobs")), "nothing ran");
    }

    [Fact]
    public async Task Run_MatrixParamNamingNoInput_IsRefusedBeforeAnyTrialRuns()
    {
        File.WriteAllText(_dir.Combine("typo.yml"), $"""
            version: 1.1
            kind: operation
            matrix:
              kind: grid
              params:
                lrr: {"{"}kind: choice, value: [0.1, 0.2]{"}"}
            {Component}
            """);

        var result = await Fathom("run", "-f", "typo.yml", "-P", "bs=8");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("declares no input or output named 'lrr'; did you mean 'lr'?", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Matrix grid", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine(".fathom", "jobs")), "nothing ran");
    }
}
