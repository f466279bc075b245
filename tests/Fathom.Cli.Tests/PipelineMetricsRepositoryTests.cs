using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>metrics show|diff</c> and <c>params diff</c> collect from every <c>dvc.yaml</c> of the repository, as DVC's
/// repository index does, and print paths relative to the current folder.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineMetricsRepositoryTests
{
    [Fact]
    public async Task MetricsAndParams_EveryDvcYaml_PathsFromTheCurrentFolder()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        Directory.CreateDirectory(dir.Combine("sub"));
        File.WriteAllText(dir.Combine("dvc.yaml"), "metrics:\n- m.json\n");
        File.WriteAllText(dir.Combine("m.json"), "{\"acc\": 0.5}");
        File.WriteAllText(dir.Combine("sub", "dvc.yaml"), "stages:\n  eval:\n    cmd: cat s.json\n    params: [lr]\n    metrics:\n    - s.json:\n        cache: false\n");
        File.WriteAllText(dir.Combine("sub", "params.yaml"), "lr: 0.1\n");
        File.WriteAllText(dir.Combine("sub", "s.json"), "{\"auc\": 2}");
        CommitAll(dir.Path, "first", init: true);
        File.WriteAllText(dir.Combine("sub", "params.yaml"), "lr: 0.3\n");
        File.WriteAllText(dir.Combine("sub", "s.json"), "{\"auc\": 3}");

        var fromRoot = await Ok(dir.Path, "metrics", "show");
        var fromSub = await Ok(dir.Combine("sub"), "metrics", "show");
        var diffFromSub = await Ok(dir.Combine("sub"), "metrics", "diff");
        var paramsFromRoot = await Ok(dir.Path, "params", "diff");

        Assert.Equal("Path        acc    auc\nm.json      0.5    -\nsub/s.json  -      3\n", fromRoot.Stdout);
        Assert.Equal("Path       acc    auc\n../m.json  0.5    -\ns.json     -      3\n", fromSub.Stdout);
        Assert.Equal("Path    Metric    HEAD    workspace    Change\ns.json  auc       2       3            1\n", diffFromSub.Stdout);
        Assert.Equal("Path             Param    HEAD    workspace\nsub/params.yaml  lr       0.1     0.3\n", paramsFromRoot.Stdout);
    }
}
