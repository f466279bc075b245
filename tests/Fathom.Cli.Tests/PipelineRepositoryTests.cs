using System.Text.Json;
using System.Text.RegularExpressions;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// Pipeline commands over every <c>dvc.yaml</c> of a repository, as DVC 3 runs them: a plain <c>repro</c> with its
/// upstream in other files, plots of every file with DVC's categorical templates, and metrics over git revisions.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class PipelineRepositoryTests
{
    [Fact]
    public async Task Repro_Plain_RunsItsUpstreamInOtherFiles_DryCarriesAcrossFiles_AndAllPipelines()
    {
        // train (./dvc.yaml) needs sub/data.txt, which prep of sub/dvc.yaml makes; other/dvc.yaml is unrelated.
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("raw.txt"), "raw\n");
        Directory.CreateDirectory(dir.Combine("sub"));
        Directory.CreateDirectory(dir.Combine("other"));
        File.WriteAllText(dir.Combine("sub", "dvc.yaml"), "stages:\n  prep:\n    cmd: cp ../raw.txt data.txt\n    deps: [../raw.txt]\n    outs: [data.txt]\n");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  train:\n    cmd: cat sub/data.txt sub/data.txt > model.txt\n    deps: [sub/data.txt]\n    outs: [model.txt]\n");
        File.WriteAllText(dir.Combine("other", "dvc.yaml"), "stages:\n  side:\n    cmd: echo side > side.txt\n    outs: [side.txt]\n");

        var first = await Ok(dir.Path, "repro", "--no-track");
        File.WriteAllText(dir.Combine("raw.txt"), "new\n");
        var dry = await Ok(dir.Path, "repro", "--dry", "--no-track");
        var dataAfterDry = File.ReadAllText(dir.Combine("sub", "data.txt"));
        var inSub = await Ok(dir.Combine("sub"), "repro", "--no-track");
        var status = await Ok(dir.Path, "status", "--json");
        var all = await Ok(dir.Path, "repro", "-P", "--dry", "--no-track");

        Assert.Equal(["Running stage 'sub/dvc.yaml:prep':", "Running stage 'train':"], first.StdoutLines.Where(l => l.StartsWith("Running", StringComparison.Ordinal)));
        Assert.Equal("raw\nraw\n", File.ReadAllText(dir.Combine("model.txt")));
        Assert.False(File.Exists(dir.Combine("other", "side.txt")));
        Assert.Equal(
            ["Would run stage 'sub/dvc.yaml:prep' (changed deps: ../raw.txt modified):", "> cp ../raw.txt data.txt", "Would run stage 'train' (an upstream stage would run):", "> cat sub/data.txt sub/data.txt > model.txt"],
            dry.StdoutLines);
        Assert.Equal("raw\n", dataAfterDry);
        Assert.Equal(["Running stage 'prep':"], inSub.StdoutLines.Where(l => l.StartsWith("Running", StringComparison.Ordinal)));
        Assert.Equal("""{"other/dvc.yaml:side":[{"changed outs":{"other/side.txt":"deleted"}}],"train":[{"changed deps":{"sub/data.txt":"modified"}}]}""", Compact(status.Stdout));
        Assert.Equal(
            ["Would run stage 'other/dvc.yaml:side' (never ran (no entry in dvc.lock)):", "Stage 'sub/dvc.yaml:prep' didn't change, skipping", "Would run stage 'train' (changed deps: sub/data.txt modified):"],
            all.StdoutLines.Where(l => !l.StartsWith('>')));
    }

    [Fact]
    public async Task Plots_EveryDvcYaml_ConfusionMatrixAndBarsFromQuotedCells_AndCommandLineProperties()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("cm.csv"), "actual,predicted\n\"cat, big\",cat\n\"cat, big\",dog\ndog,dog\ndog,dog\n");
        File.WriteAllText(dir.Combine("dvc.yaml"), "plots:\n- cm.csv:\n    template: confusion\n    x: actual\n    y: predicted\n");
        Directory.CreateDirectory(dir.Combine("sub"));
        File.WriteAllText(dir.Combine("sub", "imp.tsv"), "feature\timportance\nlength\t0.2\n\"rare \"\"words\"\"\"\t0.7\n");
        File.WriteAllText(dir.Combine("sub", "dvc.yaml"), "stages:\n  report:\n    cmd: cat imp.tsv\n    plots:\n    - imp.tsv:\n        template: bar_horizontal_sorted\n        x: importance\n        y: feature\n");
        File.WriteAllText(dir.Combine("scores.json"), "[{\"name\": \"a\", \"n\": 3}, {\"name\": \"b\", \"n\": 5}]");

        await Ok(dir.Path, "plots", "show");
        var json = await Ok(dir.Path, "plots", "show", "--json");
        await Ok(dir.Path, "plots", "show", "cm.csv", "-t", "confusion_normalized", "--title", "Normalized", "-o", "normalized");
        await Ok(dir.Path, "plots", "show", "scores.json", "-t", "bar_horizontal", "-x", "n", "-y", "name", "--x-label", "count", "-o", "bars");

        var page = File.ReadAllText(dir.Combine("dvc_plots", "index.html"));
        Assert.Equal(["cm.csv", "sub/imp.tsv"], Headings(page));
        Assert.Equal(
            ["actual cat, big, predicted cat: 1", "actual dog, predicted cat: 0", "actual cat, big, predicted dog: 1", "actual dog, predicted dog: 2", "workspace: rare &quot;words&quot;: 0.7", "workspace: length: 0.2"],
            Titles(page));
        Assert.DoesNotContain("<script src", page, StringComparison.Ordinal);
        var data = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("data");
        Assert.Equal(["cm.csv", "sub/imp.tsv"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rect", data.GetProperty("cm.csv")[0].GetProperty("content").GetProperty("mark").GetProperty("type").GetString());
        Assert.Equal(
            [("cat, big", "cat"), ("cat, big", "dog"), ("dog", "dog"), ("dog", "dog")],
            data.GetProperty("cm.csv")[0].GetProperty("content").GetProperty("data").GetProperty("values").EnumerateArray().Select(v => (v.GetProperty("actual").GetString(), v.GetProperty("predicted").GetString())));
        var normalized = File.ReadAllText(dir.Combine("normalized", "index.html"));
        Assert.Equal(["Normalized"], Headings(normalized));
        Assert.Equal(["actual cat, big, predicted cat: 0.5", "actual dog, predicted cat: 0", "actual cat, big, predicted dog: 0.5", "actual dog, predicted dog: 1"], Titles(normalized));
        var bars = File.ReadAllText(dir.Combine("bars", "index.html"));
        Assert.Equal(["workspace: a: 3", "workspace: b: 5"], Titles(bars));
        Assert.Contains(">count</text>", bars, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ShowOverTagsAndCommits_TargetsAndNoPath_InDvcTableLayout()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), "metrics:\n- m.json\n- other.json\nstages:\n  s:\n    cmd: 'true'\n    params: [lr]\n");
        File.WriteAllText(dir.Combine("params.yaml"), "lr: 1\n");
        File.WriteAllText(dir.Combine("extra.yaml"), "x: 1\n");
        File.WriteAllText(dir.Combine("m.json"), "{\"acc\": 0.5}");
        File.WriteAllText(dir.Combine("other.json"), "{\"loss\": 2}");
        CommitAll(dir.Path, "one", init: true);
        Git(dir.Path, "tag", "v1");
        Git(dir.Path, "tag", "-a", "v1-ann", "-m", "annotated");
        File.WriteAllText(dir.Combine("m.json"), "{\"acc\": 0.75}");
        CommitAll(dir.Path, "two");
        File.WriteAllText(dir.Combine("m.json"), "{\"acc\": 0.875}");
        File.WriteAllText(dir.Combine("extra.yaml"), "x: 2\n");

        var tags = await Ok(dir.Path, "metrics", "show", "-T");
        var commits = await Ok(dir.Path, "metrics", "show", "-A", "--json", "m.json");
        var diff = await Ok(dir.Path, "metrics", "diff", "--targets", "m.json", "--no-path", "--md");
        var paramsDiff = await Ok(dir.Path, "params", "diff", "--targets", "extra.yaml", "--no-path");

        Assert.Equal(
            "Revision    Path        acc    loss\n"
            + "workspace   m.json      0.875  -\n"
            + "workspace   other.json  -      2\n"
            + "v1,v1-ann   m.json      0.5    -\n"
            + "v1,v1-ann   other.json  -      2\n",
            tags.Stdout);
        var revisions = JsonDocument.Parse(commits.Stdout).RootElement.EnumerateObject().ToList();
        Assert.Equal("workspace", revisions[0].Name);
        Assert.All(revisions.Skip(1), r => Assert.Matches("^[0-9a-f]{40}$", r.Name));
        Assert.Equal([0.875, 0.75, 0.5], revisions.Select(r => r.Value.GetProperty("data").GetProperty("m.json").GetProperty("data").GetProperty("acc").GetDouble()));
        Assert.Equal("| Metric   | HEAD   | workspace   | Change   |\n|----------|--------|-------------|----------|\n| acc      | 0.75   | 0.875       | 0.125    |\n", diff.Stdout);
        Assert.Equal("Param    HEAD    workspace\nx        1       2\n", paramsDiff.Stdout);
    }

    private static string[] Headings(string html) => [.. HeadingPattern().Matches(html).Select(m => m.Groups[1].Value)];

    // The <title> of each drawn cell or bar (the page's own <title> left out).
    private static string[] Titles(string html) => [.. TitlePattern().Matches(html).Select(m => m.Groups[1].Value).Where(t => t != "DVC Plot")];

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    [GeneratedRegex("<h2>([^<]*)</h2>")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex("<title>([^<]*)</title>")]
    private static partial Regex TitlePattern();
}
