using Fathom.Data;
using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

/// <summary>Pipelines across dvc.yaml files: DVC's target forms, --downstream, -R, --allow-missing and --pull.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineSetTests
{
    // prep (root) writes data.txt; sub/dvc.yaml's train reads it; eval is a foreach group in sub/.
    private static TempDirectory TwoFiles()
    {
        var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("raw.txt", "raw\n");
        dir.WriteFile("dvc.yaml", "stages:\n  prep:\n    cmd: echo run >> prep.log && cp raw.txt data.txt\n    deps: [raw.txt]\n    outs: [data.txt]\n");
        dir.WriteFile("sub/dvc.yaml", """
            stages:
              train:
                cmd: echo run >> train.log && cat ../data.txt ../data.txt > model.txt
                deps: [../data.txt]
                outs: [model.txt]
              eval:
                foreach: [a, b]
                do:
                  cmd: cp model.txt ${item}.txt
                  deps: [model.txt]
                  outs: ["${item}.txt"]
            """);
        return dir;
    }

    private static string[] Names(IEnumerable<PipelineStage> stages) => stages.Select(s => s.Name).ToArray();

    [Fact]
    public void Select_DvcTargetForms_ResolveAcrossFiles()
    {
        using var dir = TwoFiles();
        var set = PipelineSet.Open(dir.Path);

        Assert.Equal(["prep", "sub/dvc.yaml:train"], Names(set.Select(["sub/dvc.yaml:train"], false, false, false)));
        Assert.Equal(["prep", "sub/dvc.yaml:train", "sub/dvc.yaml:eval@a"], Names(set.Select(["sub/dvc.yaml:eval@a"], false, false, false)));
        Assert.Equal(["sub/dvc.yaml:eval@a", "sub/dvc.yaml:eval@b"], Names(set.Select(["sub/dvc.yaml:eval"], false, true, false)));
        Assert.Equal(["prep", "sub/dvc.yaml:train", "sub/dvc.yaml:eval@a", "sub/dvc.yaml:eval@b"], Names(set.Select(["sub/dvc.yaml"], false, false, false)));
        Assert.Equal(["sub/dvc.yaml:train", "sub/dvc.yaml:eval@a", "sub/dvc.yaml:eval@b"], Names(set.Select(["sub/dvc.yaml:train"], false, false, true)));
        Assert.Equal(["prep", "sub/dvc.yaml:train"], Names(set.Select(["sub/model.txt"], false, false, false)));
        Assert.Equal(["prep"], Names(set.Select([], false, false, false)));
        Assert.Equal(["prep"], Names(set.Select([], true, false, false)));
        Assert.Equal(4, set.Select(["."], true, false, false).Count);
        Assert.Equal(["sub/dvc.yaml:train", "sub/dvc.yaml:eval@a", "sub/dvc.yaml:eval@b"], Names(set.Select(["sub"], true, true, false)));
        Assert.Equal(DataErrorKind.InvalidInput, Assert.Throws<DataException>(() => set.Select(["sub"], false, false, false)).Kind);
        var unknown = Assert.Throws<DataException>(() => set.Select(["sub/dvc.yaml:nope"], false, false, false));
        Assert.Equal("No stage 'nope' in 'sub/dvc.yaml'. Stages: train, eval@a, eval@b.", unknown.Message);
    }

    [Fact]
    public void Open_FromASubfolder_AddressesStagesRelativeToIt()
    {
        using var dir = TwoFiles();
        var set = PipelineSet.Open(dir.Combine("sub"));

        Assert.Equal(["../dvc.yaml:prep", "train"], Names(set.Select(["train"], false, false, false)));
    }

    [Fact]
    public async Task Repro_AcrossFiles_RunsUpstreamFileFirst_WritesEachDvcLock_ThenNothing()
    {
        using var dir = TwoFiles();

        var first = await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions());
        var second = await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions());

        Assert.Equal([("prep", ReproEventKind.Succeeded), ("sub/dvc.yaml:train", ReproEventKind.Succeeded)], first.Results.Select(r => (r.Stage, r.Outcome)));
        Assert.Contains("Running stage 'sub/dvc.yaml:train':", first.Events.Select(e => e.Text.Split('\n')[0]));
        Assert.Equal("raw\nraw\n", File.ReadAllText(dir.Combine("sub", "model.txt")));
        Assert.Contains("  prep:\n", File.ReadAllText(dir.Combine("dvc.lock")), StringComparison.Ordinal);
        Assert.Contains("  train:\n", File.ReadAllText(dir.Combine("sub", "dvc.lock")), StringComparison.Ordinal);
        Assert.All(second.Results, r => Assert.Equal(ReproEventKind.UpToDate, r.Outcome));
    }

    [Fact]
    public async Task Repro_FailingUpstreamInAnotherFile_BlocksTheDownstreamStage()
    {
        using var dir = TwoFiles();
        File.Delete(dir.Combine("raw.txt"));
        dir.WriteFile("dvc.yaml", "stages:\n  prep:\n    cmd: exit 3\n    outs: [data.txt]\n");

        var (results, events) = await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions());

        Assert.Equal([ReproEventKind.Failed, ReproEventKind.Blocked], results.Select(r => r.Outcome));
        Assert.Contains("Stage 'sub/dvc.yaml:train' not run: it depends on 'prep', which failed.", events.Select(e => e.Text));
        Assert.False(File.Exists(dir.Combine("sub", "dvc.lock")));
    }

    [Fact]
    public async Task Repro_AllowMissing_SkipsStagesThatOnlyMissData_WithoutItTheyRun()
    {
        using var dir = TwoFiles();
        await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions());
        ForgetData(dir, "data.txt", "sub/model.txt");

        var skipped = await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions { AllowMissing = true });
        var stillMissing = !File.Exists(dir.Combine("data.txt"));
        var ran = await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions());

        Assert.All(skipped.Results, r => Assert.Equal(ReproEventKind.UpToDate, r.Outcome));
        Assert.True(stillMissing);
        Assert.Equal([ReproEventKind.Succeeded, ReproEventKind.Succeeded], ran.Results.Select(r => r.Outcome));
        Assert.Equal("run\nrun\n", File.ReadAllText(dir.Combine("prep.log")));
    }

    [Fact]
    public async Task Repro_AllowMissing_StillRunsAStageWhoseParamsOrDepsChanged()
    {
        using var dir = TwoFiles();
        await ReproAsync(dir, ["prep"], new ReproOptions());
        ForgetData(dir, "data.txt");
        dir.WriteFile("raw.txt", "changed\n");

        var (results, _) = await ReproAsync(dir, ["prep"], new ReproOptions { AllowMissing = true });

        Assert.Equal(ReproEventKind.Succeeded, results.Single().Outcome);
        Assert.Equal("changed\n", File.ReadAllText(dir.Combine("data.txt")));
    }

    [Fact]
    public async Task Repro_Pull_FetchesMissingOutputsFromTheRemoteInsteadOfRunning()
    {
        using var dir = TwoFiles();
        using var remote = new TempDirectory();
        await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions());
        // The remote has DVC's layout, which is the cache's: files/md5/ab/cdef….
        CopyFolder(dir.Combine(".dvc", "cache", "files"), Path.Combine(remote.Path, "files"));
        var workspace = DataWorkspace.Open(dir.Path);
        workspace.AddRemote("storage", remote.Path, makeDefault: true, force: false, dir.Path);
        ForgetData(dir, "data.txt", "sub/model.txt");

        var (results, events) = await ReproAsync(dir, ["sub/dvc.yaml:train"], new ReproOptions { FetchObjects = (objects, ct) => DataWorkspace.Open(dir.Path).FetchObjectsAsync(objects, null, ct) });

        Assert.Equal([ReproEventKind.Pulled, ReproEventKind.Pulled], results.Select(r => r.Outcome));
        Assert.Contains("Stage 'sub/dvc.yaml:train' only missed data: pulled it from the remote, skipping run", events.Select(e => e.Text));
        Assert.Equal("raw\nraw\n", File.ReadAllText(dir.Combine("sub", "model.txt")));
        Assert.Equal("run\n", File.ReadAllText(dir.Combine("prep.log")));
        Assert.Equal("run\n", File.ReadAllText(dir.Combine("sub", "train.log")));
    }

    [Fact]
    public async Task Repro_PullWithAnEmptyRemote_FallsBackToRunningTheStage()
    {
        using var dir = TwoFiles();
        using var remote = new TempDirectory();
        await ReproAsync(dir, ["prep"], new ReproOptions());
        DataWorkspace.Open(dir.Path).AddRemote("storage", remote.Path, makeDefault: true, force: false, dir.Path);
        ForgetData(dir, "data.txt");

        var (results, _) = await ReproAsync(dir, ["prep"], new ReproOptions { FetchObjects = (objects, ct) => DataWorkspace.Open(dir.Path).FetchObjectsAsync(objects, null, ct) });

        Assert.Equal(ReproEventKind.Succeeded, results.Single().Outcome);
        Assert.Equal("run\nrun\n", File.ReadAllText(dir.Combine("prep.log")));
    }

    private static async Task<(IReadOnlyList<StageResult> Results, List<ReproEvent> Events)> ReproAsync(TempDirectory dir, string[] targets, ReproOptions options)
    {
        var set = PipelineSet.Open(dir.Path);
        var events = new List<ReproEvent>();
        var runner = new PipelineSetRunner(set, options, _ => null, events.Add, TimeProvider.System);
        return (await runner.ReproAsync(set.Select(targets, false, options.SingleItem, false), default), events);
    }

    // Deletes outputs, the whole object cache and the run cache: the data is gone but dvc.lock still names it.
    private static void ForgetData(TempDirectory dir, params string[] outputs)
    {
        foreach (var output in outputs)
        {
            File.Delete(dir.Combine(output));
        }

        Directory.Delete(dir.Combine(".dvc", "cache"), recursive: true);
    }

    private static void CopyFolder(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
