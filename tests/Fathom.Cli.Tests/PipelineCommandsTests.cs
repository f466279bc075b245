using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>The pipeline commands run as a user runs them: the reference pipeline end to end, bad input, failures and diffs.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineCommandsTests
{
    [Fact]
    public async Task Repro_ReferencePipeline_RunsPrepTrainEvaluate_ThenIsUpToDate()
    {
        using var dir = new TempDirectory();
        // The sample's layout (train/, test/, pipeline/) copied, so the repository stays clean.
        var imdb = dir.Combine("imdb");
        CliSteps.CopyFolder(RepositorySamples.Imdb, imdb);
        var pipeline = Path.Combine(imdb, "pipeline");
        var environment = CliSteps.ShimEnvironment(dir);

        var first = await FathomProcess.RunAsync(pipeline, environment, TimeSpan.FromMinutes(10), "repro");
        var second = await FathomProcess.RunAsync(pipeline, environment, TimeSpan.FromMinutes(2), "repro");
        var metrics = await FathomProcess.RunAsync(pipeline, environment, TimeSpan.FromMinutes(2), "metrics", "show", "--json");
        var runs = await FathomProcess.RunAsync(pipeline, environment, TimeSpan.FromMinutes(2), "runs", "list", "-e", "pipeline", "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(
            ["Running stage 'prep':", "Running stage 'train':", "Running stage 'evaluate':"],
            first.StdoutLines.Where(l => l.StartsWith("Running stage", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(pipeline, "out", "model", "MLmodel")));
        Assert.StartsWith("schema: '2.0'\nstages:\n  prep:\n", File.ReadAllText(Path.Combine(pipeline, "dvc.lock")), StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("Running stage", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            ["Stage 'prep' didn't change, skipping", "Stage 'train' didn't change, skipping", "Stage 'evaluate' didn't change, skipping", "Data and pipelines are up to date."],
            second.StdoutLines);
        var accuracy = JsonDocument.Parse(metrics.Stdout).RootElement.GetProperty("").GetProperty("data").GetProperty("out/metrics.json").GetProperty("data").GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.7, 1.0);
        var stageRuns = JsonDocument.Parse(runs.Stdout).RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["evaluate", "prep", "train"], stageRuns.Select(r => r.GetProperty("info").GetProperty("run_name").GetString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("stages:\n  train:\n    cmd: echo\n    deps: data.csv\n", 2, "error: dvc.yaml:4: stage 'train': 'deps' must be a list.")]
    [InlineData("stages:\n  a:\n    cmd: a\n    deps: [b.txt]\n    outs: [a.txt]\n  b:\n    cmd: b\n    deps: [a.txt]\n    outs: [b.txt]\n", 2, "error: dvc.yaml: the pipeline has a cycle: 'a' -> 'b' -> 'a'")]
    [InlineData("stages:\n  train:\n    cmd: echo\n    deps: [data/missing.csv]\n", 3, "error: stage 'train': dependency 'data/missing.csv' does not exist and no stage in dvc.yaml outputs it")]
    public async Task Repro_BadPipeline_SaysWhereAndWhat(string dvcYaml, int exitCode, string message)
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), dvcYaml);

        var result = await FathomProcess.RunAsync(dir.Path, "repro", "--no-track");

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.StartsWith(message, result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repro_FailingStage_ExitsNonZeroWithTheTailOfItsOutput()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  boom:\n    cmd: echo working; echo 'disk full' >&2; exit 4\n    outs: [x]\n  after:\n    cmd: echo hi\n    deps: [x]\n");

        var result = await FathomProcess.RunAsync(dir.Path, "repro", "--no-track");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("ERROR: failed to reproduce 'boom': command 'echo working; echo 'disk full' >&2; exit 4' exited with code 4. Last lines of its output:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("disk full", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Stage 'after' not run: it depends on 'boom', which failed.", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("dvc.lock")));
    }

    [Fact]
    public async Task Dag_DotAndMermaid_ListStagesAndEdges()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  prep:\n    cmd: p\n    outs: [data]\n  train:\n    cmd: t\n    deps: [data]\n");

        var dot = await Ok(dir.Path, "dag", "--dot");
        var mermaid = await Ok(dir.Path, "dag", "--mermaid");
        var ascii = await Ok(dir.Path, "dag");

        Assert.Equal("strict digraph  {\n\"prep\";\n\"train\";\n\"prep\" -> \"train\";\n}\n", dot.Stdout);
        Assert.Equal("flowchart TD\n\tnode1[\"prep\"]\n\tnode2[\"train\"]\n\tnode1-->node2\n", mermaid.Stdout);
        Assert.Contains("| prep    |", ascii.Stdout, StringComparison.Ordinal);
        Assert.Contains("| → train |", ascii.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParamsAndMetricsDiff_CompareTheWorkspaceWithHead()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  eval:\n    cmd: cat m.json\n    params: [train.lr, train.epochs]\nmetrics:\n- m.json\n");
        File.WriteAllText(dir.Combine("params.yaml"), "train:\n  lr: 0.1\n  epochs: 10\n");
        File.WriteAllText(dir.Combine("m.json"), "{\"acc\": 0.8, \"loss\": 0.5}");
        CommitAll(dir.Path, "first", init: true);
        File.WriteAllText(dir.Combine("params.yaml"), "train:\n  lr: 0.2\n  epochs: 10\n");
        File.WriteAllText(dir.Combine("m.json"), "{\"acc\": 0.85, \"loss\": 0.5}");

        var paramsDiff = await Ok(dir.Path, "params", "diff");
        var paramsJson = await Ok(dir.Path, "params", "diff", "--json");
        var metricsJson = await Ok(dir.Path, "metrics", "diff", "HEAD", "--json");
        var metricsTable = await Ok(dir.Path, "metrics", "diff");

        Assert.Equal("Path         Param     HEAD    workspace\nparams.yaml  train.lr  0.1     0.2\n", paramsDiff.Stdout);
        Assert.Equal("{\"params.yaml\":{\"train.lr\":{\"old\":0.1,\"new\":0.2,\"diff\":0.1}}}", Compact(paramsJson.Stdout));
        var acc = JsonDocument.Parse(metricsJson.Stdout).RootElement.GetProperty("m.json").GetProperty("acc");
        Assert.Equal((0.8, 0.85), (acc.GetProperty("old").GetDouble(), acc.GetProperty("new").GetDouble()));
        Assert.Equal(0.05, acc.GetProperty("diff").GetDouble(), 9);
        Assert.Equal("Path    Metric    HEAD    workspace    Change\nm.json  acc       0.8     0.85         0.05\n", metricsTable.Stdout);
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
