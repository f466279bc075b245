using System.Text.Json;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom status</c>, repro targets across dvc.yaml files, <c>dag</c> over the repository and the metrics/params
/// output options, run as a user runs them.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineStatusCommandsTests
{
    // images.txt (a .dvc output), data.txt, model.txt and report.txt (dvc.lock outs; report repeats model's content).
    private static readonly string[] PushedContents = ["cat\n", "raw\n", "raw\nraw\n", "raw\nraw\n"];

    // prep and train in the root dvc.yaml, report (always changed) in sub/dvc.yaml, images.txt tracked by a .dvc file.
    private static async Task<TempDirectory> RepositoryAsync()
    {
        var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("raw.txt"), "raw\n");
        File.WriteAllText(dir.Combine("images.txt"), "cat\n");
        File.WriteAllText(dir.Combine("params.yaml"), "seed: 1\n");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  prep:\n    cmd: cp raw.txt data.txt\n    deps: [raw.txt]\n    params: [seed]\n    outs: [data.txt]\n  train:\n    cmd: cat data.txt data.txt > model.txt\n    deps: [data.txt]\n    outs: [model.txt]\n");
        Directory.CreateDirectory(dir.Combine("sub"));
        File.WriteAllText(dir.Combine("sub", "dvc.yaml"), "stages:\n  report:\n    cmd: cat ../model.txt > report.txt\n    deps: [../model.txt]\n    outs: [report.txt]\n    always_changed: true\n");
        await Ok(dir.Path, "data", "add", "images.txt");
        await Ok(dir.Path, "repro", "-R", ".", "--no-track");
        return dir;
    }

    [Fact]
    public async Task PushAndFetch_NoTargets_MoveTheLockedOutsOfEveryPipeline_ButNotUncachedOnes()
    {
        using var dir = await RepositoryAsync();
        File.WriteAllText(dir.Combine("dvc.yaml"), File.ReadAllText(dir.Combine("dvc.yaml")) + "  score:\n    cmd: cat model.txt raw.txt > score.txt\n    deps: [model.txt, raw.txt]\n    outs:\n    - score.txt:\n        cache: false\n");
        await Ok(dir.Path, "repro", "--no-track", "score");
        await Ok(dir.Path, "data", "remote", "add", "-d", "store", dir.Combine("remote"));

        var push = JsonDocument.Parse((await Ok(dir.Path, "data", "push", "--json")).Stdout).RootElement;

        // images.txt from its .dvc file, data.txt and model.txt from dvc.lock, report.txt from sub/dvc.lock; score.txt
        // is not cached, so it is neither pushed nor reported missing.
        var expected = PushedContents.Select(Md5).Distinct().Order().ToArray();
        Assert.Equal(expected.Length, push.GetProperty("transferred").GetInt32());
        Assert.Equal(0, push.GetProperty("missing").GetArrayLength());
        Assert.Equal(expected, Directory.GetFiles(dir.Combine("remote", "files", "md5"), "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(Path.GetDirectoryName(f)) + Path.GetFileName(f)).Order().ToArray());
        Assert.DoesNotContain(Md5(File.ReadAllText(dir.Combine("score.txt"))), expected);

        // A fresh clone (what git carries) fetches the pipelines' objects too.
        var clone = dir.Combine("clone");
        Directory.CreateDirectory(Path.Combine(clone, ".dvc"));
        Directory.CreateDirectory(Path.Combine(clone, "sub"));
        foreach (var file in new[] { Path.Combine(".dvc", "config"), "dvc.yaml", "dvc.lock", "params.yaml", "images.txt.dvc", Path.Combine("sub", "dvc.yaml"), Path.Combine("sub", "dvc.lock") })
        {
            File.Copy(dir.Combine(file), Path.Combine(clone, file));
        }

        File.WriteAllText(Path.Combine(clone, ".dvc", "config"), File.ReadAllText(dir.Combine(".dvc", "config")).Replace("../remote", dir.Combine("remote"), StringComparison.Ordinal));
        var fetch = JsonDocument.Parse((await Ok(clone, "data", "fetch", "--json")).Stdout).RootElement;
        Assert.Equal(expected.Length, fetch.GetProperty("transferred").GetInt32());
        Assert.All(expected, md5 => Assert.True(File.Exists(Path.Combine(clone, ".dvc", "cache", "files", "md5", md5[..2], md5[2..])), md5));
        Assert.Equal(0, JsonDocument.Parse((await Ok(clone, "data", "fetch", "--json")).Stdout).RootElement.GetProperty("transferred").GetInt32());
    }

    [Fact]
    public async Task ReproRecursive_NoTarget_TakesThisFoldersDvcYaml_AndDotTakesEveryOneBelow()
    {
        using var dir = await RepositoryAsync();
        File.WriteAllText(dir.Combine("raw.txt"), "new raw\n");

        // As dvc repro -R: with no target it is ./dvc.yaml; sub/dvc.yaml's report is downstream, so it stays as it was.
        await Ok(dir.Path, "repro", "-R", "--no-track");
        Assert.Equal("new raw\nnew raw\n", File.ReadAllText(dir.Combine("model.txt")));
        Assert.Equal("raw\nraw\n", File.ReadAllText(dir.Combine("sub", "report.txt")));

        await Ok(dir.Path, "repro", "-R", ".", "--no-track");
        Assert.Equal("new raw\nnew raw\n", File.ReadAllText(dir.Combine("sub", "report.txt")));
    }

    [Fact]
    public async Task Status_AfterChanges_ListsStagesAndDvcFilesAsDvcDoes()
    {
        using var dir = await RepositoryAsync();
        File.WriteAllText(dir.Combine("raw.txt"), "new raw\n");
        File.WriteAllText(dir.Combine("params.yaml"), "seed: 2\n");
        File.Delete(dir.Combine("model.txt"));
        File.WriteAllText(dir.Combine("images.txt"), "dog\n");

        var text = await Ok(dir.Path, "status");
        var json = await Ok(dir.Path, "status", "--json");
        var quiet = await FathomProcess.RunAsync(dir.Path, "status", "-q");

        Assert.Equal(
            "prep:\n"
            + "\tchanged deps:\n"
            + "\t\tmodified:            raw.txt\n"
            + "\t\tparams.yaml:\n"
            + "\t\t\tmodified:            seed\n"
            + "train:\n"
            + "\tchanged outs:\n"
            + "\t\tdeleted:             model.txt\n"
            + "sub/dvc.yaml:report:\n"
            + "\tchanged deps:\n"
            + "\t\tdeleted:             model.txt\n"
            + "\talways changed\n"
            + "images.txt.dvc:\n"
            + "\tchanged outs:\n"
            + "\t\tmodified:            images.txt\n",
            text.Stdout);
        Assert.Equal(
            """{"prep":[{"changed deps":{"raw.txt":"modified","params.yaml":{"seed":"modified"}}}],"train":[{"changed outs":{"model.txt":"deleted"}}],"sub/dvc.yaml:report":[{"changed deps":{"model.txt":"deleted"}},"always changed"],"images.txt.dvc":[{"changed outs":{"images.txt":"modified"}}]}""",
            Compact(json.Stdout));
        Assert.True(quiet.ExitCode == 1 && quiet.Stdout.Length == 0, quiet.ToString());
    }

    [Fact]
    public async Task Status_ChangedCommandAndTargets_AndUpToDate()
    {
        using var dir = await RepositoryAsync();
        File.WriteAllText(dir.Combine("dvc.yaml"), File.ReadAllText(dir.Combine("dvc.yaml")).Replace("cat data.txt data.txt", "cat data.txt", StringComparison.Ordinal));

        var train = await Ok(dir.Path, "status", "train", "--json");
        var prep = await Ok(dir.Path, "status", "prep");
        var sub = await Ok(dir.Combine("sub"), "status", "--json", "../dvc.yaml:prep", "report");

        Assert.Equal("""{"train":["changed command"]}""", Compact(train.Stdout));
        Assert.Equal("Data and pipelines are up to date.\n", prep.Stdout);
        Assert.Equal("""{"report":["always changed"]}""", Compact(sub.Stdout));
    }

    [Fact]
    public async Task Repro_TargetsInOtherFiles_Downstream_AndDagOverTheRepository()
    {
        using var dir = await RepositoryAsync();
        File.WriteAllText(dir.Combine("raw.txt"), "again\n");

        var single = await Ok(dir.Path, "repro", "--no-track", "-s", "sub/dvc.yaml:report");
        var downstream = await Ok(dir.Path, "repro", "--no-track", "--downstream", "prep");
        var missing = await FathomProcess.RunAsync(dir.Path, "repro", "--no-track", "sub/dvc.yaml:nope");
        var folder = await FathomProcess.RunAsync(dir.Path, "repro", "--no-track", "sub");
        var dot = await Ok(dir.Path, "dag", "--dot");

        Assert.Equal(["Running stage 'sub/dvc.yaml:report':", "> cat ../model.txt > report.txt"], single.StdoutLines.Take(2));
        Assert.Equal(
            ["Running stage 'prep':", "Running stage 'train':", "Running stage 'sub/dvc.yaml:report':"],
            downstream.StdoutLines.Where(l => l.StartsWith("Running", StringComparison.Ordinal)));
        Assert.Equal("again\nagain\n", File.ReadAllText(dir.Combine("sub", "report.txt")));
        Assert.True(missing.ExitCode == 3, missing.ToString());
        Assert.Equal("error: No stage 'nope' in 'sub/dvc.yaml'. Stages: report.", missing.Stderr.Trim());
        Assert.True(folder.ExitCode == 2, folder.ToString());
        Assert.Contains("'sub' is a folder: add -R", folder.Stderr, StringComparison.Ordinal);
        Assert.Equal("strict digraph  {\n\"prep\";\n\"train\";\n\"sub/dvc.yaml:report\";\n\"prep\" -> \"train\";\n\"train\" -> \"sub/dvc.yaml:report\";\n}\n", dot.Stdout);
    }

    [Fact]
    public async Task MetricsAndParams_TomlFiles_MarkdownPrecisionAndAllBranches()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  eval:\n    cmd: cat m.toml\n    params:\n    - params.toml: [train.lr]\nmetrics:\n- m.toml\n");
        File.WriteAllText(dir.Combine("params.toml"), "[train]\nlr = 0.1\n");
        File.WriteAllText(dir.Combine("m.toml"), "acc = 0.8123456\n");
        Git(dir.Path, "init", "-q", "-b", "main");
        Git(dir.Path, "add", "-A");
        Git(dir.Path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "first");
        File.WriteAllText(dir.Combine("params.toml"), "[train]\nlr = 0.2\n");
        File.WriteAllText(dir.Combine("m.toml"), "acc = 0.9\n");

        var show = await Ok(dir.Path, "metrics", "show", "--md", "--precision", "2");
        var branches = await Ok(dir.Path, "metrics", "show", "-a", "--json");
        var diff = await Ok(dir.Path, "metrics", "diff", "--md");
        var paramsDiff = await Ok(dir.Path, "params", "diff", "--json");
        var badPrecision = await FathomProcess.RunAsync(dir.Path, "metrics", "show", "--precision", "-1");

        Assert.Equal("| Path   | acc   |\n|--------|-------|\n| m.toml | 0.9   |\n", show.Stdout);
        Assert.Equal("""{"workspace":{"data":{"m.toml":{"data":{"acc":0.9}}}},"main":{"data":{"m.toml":{"data":{"acc":0.8123456}}}}}""", Compact(branches.Stdout));
        Assert.Equal("| Path   | Metric   | HEAD    | workspace   | Change   |\n|--------|----------|---------|-------------|----------|\n| m.toml | acc      | 0.81235 | 0.9         | 0.08765  |\n", diff.Stdout);
        Assert.Equal("""{"params.toml":{"train.lr":{"old":0.1,"new":0.2,"diff":0.1}}}""", Compact(paramsDiff.Stdout));
        Assert.True(badPrecision.ExitCode == 2, badPrecision.ToString());
    }

    [Fact]
    public async Task PlotsShowAndDiff_WriteOneSelfContainedPage_AndDvcJson()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  train:\n    cmd: cat loss.csv\n    plots:\n    - loss.csv:\n        x: epoch\n        y: loss\nplots:\n- acc:\n    y:\n      acc.json: acc\n    title: Accuracy\n");
        File.WriteAllText(dir.Combine("loss.csv"), "epoch,loss\n1,0.9\n2,0.4\n");
        File.WriteAllText(dir.Combine("acc.json"), "[{\"acc\": 0.5}, {\"acc\": 0.7}]");
        CommitAll(dir.Path, "first", init: true);
        File.WriteAllText(dir.Combine("acc.json"), "[{\"acc\": 0.6}, {\"acc\": 0.9}]");

        var show = await Ok(dir.Path, "plots", "show");
        var json = await Ok(dir.Path, "plots", "show", "--json", "acc");
        var diff = await Ok(dir.Path, "plots", "diff", "-o", "compare", "--json");
        await Ok(dir.Path, "plots", "diff", "-o", "compare");

        var page = dir.Combine("dvc_plots", "index.html");
        Assert.Equal(new Uri(page).AbsoluteUri, show.Stdout.Trim());
        var html = File.ReadAllText(page);
        Assert.Equal(2, html.Split("<svg ").Length - 1);
        Assert.Contains("<h2>Accuracy</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<h2>loss.csv</h2>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", html, StringComparison.Ordinal);
        var acc = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("data").GetProperty("acc")[0];
        Assert.Equal("vega", acc.GetProperty("type").GetString());
        Assert.Equal(["workspace"], acc.GetProperty("revisions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([0.6, 0.9], acc.GetProperty("content").GetProperty("data").GetProperty("values").EnumerateArray().Select(v => v.GetProperty("acc").GetDouble()));
        var compared = JsonDocument.Parse(diff.Stdout).RootElement.GetProperty("data").GetProperty("acc")[0];
        Assert.Equal(["HEAD", "workspace"], compared.GetProperty("revisions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(
            [("HEAD", 0.5), ("HEAD", 0.7), ("workspace", 0.6), ("workspace", 0.9)],
            compared.GetProperty("content").GetProperty("data").GetProperty("values").EnumerateArray().Select(v => (v.GetProperty("rev").GetString(), v.GetProperty("acc").GetDouble())));
        Assert.True(File.Exists(dir.Combine("compare", "index.html")));
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
