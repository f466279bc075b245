using Fathom.Data;
using Fathom.Pipelines;
using Fathom.Tracking;

// DVC names content by MD5; the tests compute the same hashes to compare.
#pragma warning disable CA5351

namespace Fathom.Tests.Pipelines;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineRunnerTests
{
    private const string TwoStages = """
        stages:
          prepare:
            cmd: mkdir -p data/prepared && cp data.txt data/prepared/train.txt
            deps:
            - data.txt
            params:
            - prepare.seed
            - prepare.split
            outs:
            - data/prepared
          count:
            cmd: wc -c < data/prepared/train.txt > count.txt
            deps:
            - data/prepared
            outs:
            - count.txt
        """;

    private static TempDirectory Repo(string dvcYaml, string? paramsYaml = "prepare:\n  seed: 20170428\n  split: 0.2\n")
    {
        var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("dvc.yaml", dvcYaml);
        dir.WriteFile("data.txt", "hello\n");
        if (paramsYaml is not null)
        {
            dir.WriteFile("params.yaml", paramsYaml);
        }

        return dir;
    }

    private static async Task<(IReadOnlyList<StageResult> Results, List<ReproEvent> Events)> ReproAsync(
        TempDirectory dir, ReproOptions? options = null, IReadOnlyList<string>? targets = null, StageLineage? lineage = null)
    {
        var project = PipelineProject.Open(dir.Path);
        var events = new List<ReproEvent>();
        var runner = new PipelineRunner(project.Repository, project.Pipeline, project.Graph, options ?? new ReproOptions(), lineage, events.Add, TimeProvider.System);
        return (await runner.ReproAsync(targets ?? [], default), events);
    }

    private static string[] Ran(IReadOnlyList<StageResult> results) =>
        results.Where(r => r.Outcome == ReproEventKind.Succeeded).Select(r => r.Stage).ToArray();

    [Fact]
    public async Task Repro_FirstRun_WritesDvcLockAsDvcDoes_ThenNothingRunsAgain()
    {
        using var dir = Repo(TwoStages);

        var (first, _) = await ReproAsync(dir);
        var (second, events) = await ReproAsync(dir);

        Assert.Equal(["prepare", "count"], Ran(first));
        Assert.Equal("""
            schema: '2.0'
            stages:
              prepare:
                cmd: mkdir -p data/prepared && cp data.txt data/prepared/train.txt
                deps:
                - path: data.txt
                  hash: md5
                  md5: b1946ac92492d2347c6235b4d2611184
                  size: 6
                params:
                  params.yaml:
                    prepare.seed: 20170428
                    prepare.split: 0.2
                outs:
                - path: data/prepared
                  hash: md5
                  md5: e99b04d82757be51992e3a1d5b2ab6f4.dir
                  size: 6
                  nfiles: 1
              count:
                cmd: wc -c < data/prepared/train.txt > count.txt
                deps:
                - path: data/prepared
                  hash: md5
                  md5: e99b04d82757be51992e3a1d5b2ab6f4.dir
                  size: 6
                  nfiles: 1
                outs:
                - path: count.txt
                  hash: md5
                  md5: 0a1f5d2ba1f8d1f4e7cf0dffe5d8c9e0
                  size: 2

            """.Replace("0a1f5d2ba1f8d1f4e7cf0dffe5d8c9e0", Md5("6\n"), StringComparison.Ordinal), File.ReadAllText(dir.Combine("dvc.lock")));
        Assert.Empty(Ran(second));
        Assert.All(second, r => Assert.Equal(ReproEventKind.UpToDate, r.Outcome));
        Assert.Equal(["Stage 'prepare' didn't change, skipping", "Stage 'count' didn't change, skipping"], events.Select(e => e.Text));
        Assert.True(File.Exists(dir.Combine(".dvc", "cache", "files", "md5", "e9", "9b04d82757be51992e3a1d5b2ab6f4.dir")));
        Assert.Equal("/count.txt\n", File.ReadAllText(dir.Combine(".gitignore")));
        Assert.Equal("/prepared\n", File.ReadAllText(dir.Combine("data", ".gitignore")));
    }

    [Fact]
    public async Task Repro_ParamChanged_RerunsThatStage_AndDownstreamOnlyIfItsInputChanged()
    {
        using var dir = Repo(TwoStages);
        await ReproAsync(dir);
        dir.WriteFile("params.yaml", "prepare:\n  seed: 1\n  split: 0.2\n");

        var (results, _) = await ReproAsync(dir);

        // prepare's output is byte-identical, so count's deps did not change: DVC skips it too.
        Assert.Equal(["prepare"], Ran(results));
        Assert.Equal(["changed params: params.yaml: prepare.seed modified"], results[0].Reasons);
        Assert.Contains("prepare.seed: 1\n", File.ReadAllText(dir.Combine("dvc.lock")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repro_DepChanged_RerunsDownstream_AndRunCacheRestoresAnEarlierResult()
    {
        using var dir = Repo(TwoStages);
        await ReproAsync(dir);
        var lockBefore = File.ReadAllText(dir.Combine("dvc.lock"));
        dir.WriteFile("data.txt", "hello world\n");
        var (changed, _) = await ReproAsync(dir);
        var countAfterChange = File.ReadAllText(dir.Combine("count.txt")).TrimStart();
        dir.WriteFile("data.txt", "hello\n");

        var (back, events) = await ReproAsync(dir);

        Assert.Equal(["prepare", "count"], Ran(changed));
        Assert.Equal("12\n", countAfterChange);
        Assert.All(back, r => Assert.Equal(ReproEventKind.Restored, r.Outcome));
        Assert.Contains(events, e => e.Text == "Stage 'prepare' is cached - skipping run, checking out outputs");
        Assert.Equal("6\n", File.ReadAllText(dir.Combine("count.txt")).TrimStart());
        Assert.Equal(lockBefore, File.ReadAllText(dir.Combine("dvc.lock")));
    }

    [Fact]
    public async Task Repro_DeletedOutput_IsRestoredFromTheRunCache()
    {
        using var dir = Repo(TwoStages);
        await ReproAsync(dir);
        File.Delete(dir.Combine("count.txt"));

        var (results, _) = await ReproAsync(dir);

        Assert.Equal(ReproEventKind.Restored, results.Single(r => r.Stage == "count").Outcome);
        Assert.Equal(["changed outs: count.txt deleted"], results.Single(r => r.Stage == "count").Reasons);
        Assert.True(File.Exists(dir.Combine("count.txt")));
    }

    [Fact]
    public async Task Repro_FailingStage_KeepsPreviousOutputsAndLock_BlocksDownstream_ReportsOutputTail()
    {
        using var dir = Repo("""
            stages:
              make:
                cmd: ${cmd}
                deps: [data.txt]
                outs: [made.txt]
              use:
                cmd: cp made.txt used.txt
                deps: [made.txt]
                outs: [used.txt]
              other:
                cmd: echo ok > other.txt
                outs: [other.txt]
            """, "cmd: cp data.txt made.txt\n");
        await ReproAsync(dir);
        var lockBefore = File.ReadAllText(dir.Combine("dvc.lock"));
        dir.WriteFile("params.yaml", "cmd: 'echo partial > made.txt; for i in 1 2 3; do echo line $i; done; exit 3'\n");
        dir.WriteFile("data.txt", "changed\n");

        var (results, events) = await ReproAsync(dir);

        var failed = results.Single(r => r.Stage == "make");
        Assert.Equal(ReproEventKind.Failed, failed.Outcome);
        Assert.Contains("exited with code 3", failed.Error, StringComparison.Ordinal);
        Assert.EndsWith("line 1\nline 2\nline 3", failed.Error, StringComparison.Ordinal);
        Assert.Equal(ReproEventKind.Blocked, results.Single(r => r.Stage == "use").Outcome);
        Assert.Contains(events, e => e.Text == "Stage 'use' not run: it depends on 'make', which failed.");
        Assert.Equal("hello\n", File.ReadAllText(dir.Combine("made.txt")));
        Assert.Equal(lockBefore, File.ReadAllText(dir.Combine("dvc.lock")));
        Assert.Empty(Directory.EnumerateFiles(dir.Path, ".*fathom-previous"));
    }

    [Fact]
    public async Task Repro_IndependentStages_RunAtTheSameTimeWithJobs()
    {
        // Each stage waits (up to 30 s) for the other's marker: they can only both succeed if they run in parallel.
        const string Wait = "touch {0}.started; i=0; while [ ! -f {1}.started ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; test -f {1}.started && echo {0} > {0}.out";
        using var dir = Repo($"""
            stages:
              left:
                cmd: {string.Format(System.Globalization.CultureInfo.InvariantCulture, Wait, "left", "right")}
                outs: [left.out]
              right:
                cmd: {string.Format(System.Globalization.CultureInfo.InvariantCulture, Wait, "right", "left")}
                outs: [right.out]
            """);

        var (results, _) = await ReproAsync(dir, new ReproOptions { Jobs = 2 });

        Assert.Equal(["left", "right"], Ran(results).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Repro_DryForceSingleItemAndFrozen()
    {
        using var dir = Repo(TwoStages + "\n  frozen:\n    cmd: echo never > frozen.txt\n    frozen: true\n");

        var (dry, dryEvents) = await ReproAsync(dir, new ReproOptions { Dry = true });
        Assert.False(File.Exists(dir.Combine("dvc.lock")));
        Assert.Equal([ReproEventKind.WouldRun, ReproEventKind.WouldRun, ReproEventKind.Frozen], dry.Select(r => r.Outcome));
        Assert.Contains(dryEvents, e => e.Text.Contains("> mkdir -p data/prepared", StringComparison.Ordinal));

        await ReproAsync(dir);
        var (single, _) = await ReproAsync(dir, new ReproOptions { Force = true, SingleItem = true }, ["count"]);
        Assert.Equal(["count"], Ran(single));
        Assert.False(File.Exists(dir.Combine("frozen.txt")));
    }

    [Fact]
    public async Task Repro_WithLineage_RecordsEachStageRunWithCommandHashesParamsAndMetrics()
    {
        using var dir = Repo("""
            stages:
              evaluate:
                cmd: >-
                  printf '{"acc": 0.75, "loss": {"val": 0.5}}' > metrics.json
                deps: [data.txt]
                params: [prepare.seed]
                metrics:
                - metrics.json:
                    cache: false
            """);
        var store = dir.Combine("store");
        await using (var lineage = new StageLineage(() => TrackingClient.Open(store), "pipeline", "dvc.yaml"))
        {
            await ReproAsync(dir, lineage: lineage);
        }

        await using var client = TrackingClient.Open(store);
        var experiment = await client.Store.GetExperimentByNameAsync("pipeline", default);
        var run = (await client.Store.SearchRunsAsync(new RunSearch([experiment!.ExperimentId]), default)).Runs.Single();
        Assert.Equal("evaluate", run.Info.RunName);
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        var tags = run.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("printf '{\"acc\": 0.75, \"loss\": {\"val\": 0.5}}' > metrics.json", tags[StageLineage.CommandTag]);
        Assert.Equal("b1946ac92492d2347c6235b4d2611184", tags["fathom.pipeline.dep.data.txt"]);
        Assert.Equal(Md5("{\"acc\": 0.75, \"loss\": {\"val\": 0.5}}"), tags["fathom.pipeline.out.metrics.json"]);
        Assert.True(tags.ContainsKey(SystemTags.User));
        Assert.True(tags.ContainsKey(SystemTags.Host));
        Assert.Equal("20170428", run.Params.Single(p => p.Key == "prepare.seed").Value);
        Assert.Equal(0.75, run.Metrics.Single(m => m.Key == "acc").Value);
        Assert.Equal(0.5, run.Metrics.Single(m => m.Key == "loss.val").Value);
    }

    private static string Md5(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
