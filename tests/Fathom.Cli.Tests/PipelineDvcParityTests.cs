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

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
