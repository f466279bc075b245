using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// Where the pipeline commands and DVC 3.64, run side by side, disagreed: <c>metrics show --json</c> without a revision
/// flag (DVC's brancher names the workspace "" then), a metrics file holding a bare number (DVC's repro never reads
/// metrics), and a file that is both a stage's plot and a top-level plot (two plots in DVC's
/// <c>group_definitions_by_id</c>).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineDvcParityTests
{
    [Fact]
    public async Task Repro_MetricsFileHoldingABareNumber_WritesTheLock_AndMetricsShowReadsItUnderTheEmptyRevision()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("data.txt", "data\n");
        dir.WriteFile("dvc.yaml", "stages:\n  evaluate:\n    cmd: echo 0.9 > acc.json\n    deps: [data.txt]\n    metrics:\n    - acc.json:\n        cache: false\n");
        var tracked = new Dictionary<string, string> { ["FATHOM_STORE"] = dir.Combine(".fathom") };

        var repro = await FathomProcess.RunAsync(dir.Path, tracked, TimeSpan.FromMinutes(2), "repro");
        var show = await Ok(dir.Path, "metrics", "show", "--json");

        Assert.True(repro.ExitCode == 0, repro.ToString());
        Assert.Contains("md5: ", File.ReadAllText(dir.Combine("dvc.lock")), StringComparison.Ordinal);
        Assert.Equal("""{"":{"data":{"acc.json":{"data":0.9}}}}""", Compact(show.Stdout));
    }

    [Fact]
    public async Task MetricsShow_BareNumberInYaml_AndYamlUnderAnotherExtension_ReadAsDvcLoadsThem()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("acc.yaml", "0.75\n");
        dir.WriteFile("summary.txt", "loss: 0.25\n");
        dir.WriteFile("dvc.yaml", "metrics:\n- acc.yaml\n- summary.txt\n");

        var show = await Ok(dir.Path, "metrics", "show", "--json");

        Assert.Equal("""{"":{"data":{"acc.yaml":{"data":0.75},"summary.txt":{"data":{"loss":0.25}}}}}""", Compact(show.Stdout));
    }

    [Fact]
    public async Task MetricsShow_AllBranches_WorkspaceAsTheActiveBranch_IsHidden_AsDvcHidesIt()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("m.json", "{\"acc\": 0.5}");
        dir.WriteFile("dvc.yaml", "metrics:\n- m.json\n");
        Git(dir.Path, "init", "-q", "-b", "main");
        CommitAll(dir.Path, "first");

        var same = await Ok(dir.Path, "metrics", "show", "-a", "--json");
        dir.WriteFile("m.json", "{\"acc\": 1.0}");
        var changed = await Ok(dir.Path, "metrics", "show", "-a", "--json");

        Assert.Equal("""{"main":{"data":{"m.json":{"data":{"acc":0.5}}}}}""", Compact(same.Stdout));
        Assert.Equal("""{"workspace":{"data":{"m.json":{"data":{"acc":1.0}}}},"main":{"data":{"m.json":{"data":{"acc":0.5}}}}}""", Compact(changed.Stdout));
    }

    [Fact]
    public async Task PlotsShow_StagePlotAlsoATopLevelPlot_IsTwoPlots_AsInDvc()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("plots/loss.csv", "step,loss\n1,0.5\n2,0.3\n");
        dir.WriteFile("dvc.yaml", "stages:\n  train:\n    cmd: cat plots/loss.csv\n    plots:\n    - plots/loss.csv:\n        x: step\nplots:\n- plots/loss.csv:\n    y: loss\n");

        var json = await Ok(dir.Path, "plots", "show", "--json");

        var data = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("data");
        Assert.Equal(["dvc.yaml::plots/loss.csv", "plots/loss.csv"], data.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task PlotsShow_FromASubfolder_IdsAndFilesAreRelativeToIt_AsInDvc()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("plots/loss.csv", "step,loss\n1,0.5\n2,0.3\n");
        dir.WriteFile("src/.keep", "");
        dir.WriteFile("dvc.yaml", "stages:\n  train:\n    cmd: cat plots/loss.csv\n    plots:\n    - plots/loss.csv:\n        x: step\nplots:\n- plots/loss.csv:\n    y: loss\n- named:\n    y:\n      plots/loss.csv: loss\n");

        var json = await Ok(dir.Combine("src"), "plots", "show", "--json");
        var one = await Ok(dir.Combine("src"), "plots", "show", "../plots/loss.csv", "--json");

        var data = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("data");
        Assert.Equal(["../dvc.yaml::../plots/loss.csv", "../plots/loss.csv", "named"], data.EnumerateObject().Select(p => p.Name));
        Assert.Contains("../plots/loss.csv", data.GetProperty("named")[0].GetProperty("content").GetRawText(), StringComparison.Ordinal);
        Assert.Contains("0.3", data.GetProperty("../plots/loss.csv")[0].GetProperty("content").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(["../dvc.yaml::../plots/loss.csv", "../plots/loss.csv"], JsonDocument.Parse(one.Stdout).RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).Take(2));
    }

    [Fact]
    public async Task PlotsShow_PlotFileOutsideTheRepository_IsNotReadAndSaysSo()
    {
        using var outside = new TempDirectory();
        using var dir = new TempDirectory();
        outside.WriteFile("secret.csv", "step,loss\n1,424242\n");
        await Ok(dir.Path, "data", "init");
        File.CreateSymbolicLink(dir.Combine("linked.csv"), outside.Combine("secret.csv"));
        var escape = Path.GetRelativePath(dir.Path, outside.Combine("secret.csv")).Replace('\\', '/');
        dir.WriteFile("dvc.yaml", $"plots:\n- {escape}:\n    y: loss\n- linked.csv:\n    y: loss\n");

        var json = await Ok(dir.Path, "plots", "show", "--json");

        Assert.DoesNotContain("424242", json.Stdout, StringComparison.Ordinal);
        Assert.Contains($"'{escape}' is outside the repository; not read", json.Stderr, StringComparison.Ordinal);
        Assert.Contains("'linked.csv' is outside the repository; not read", json.Stderr, StringComparison.Ordinal);
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
