using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// One run cache for Fathom and DVC 3.64: entries under <c>.dvc/cache/runs/&lt;key[:2]&gt;/&lt;key&gt;/&lt;value&gt;</c> named and
/// written as DVC's <c>dvc/stage/cache.py</c> does, and uncached metrics committed to the object cache so a cached run
/// restores whole. DVC cannot be installed here: the golden names were computed from DVC's definition (the lock entry
/// dict of <c>to_single_stage_lockfile</c>, outs reduced to paths for the key, <c>size</c>/<c>nfiles</c> filtered out,
/// then <c>sha256(json.dumps(d, sort_keys=True))</c>) with Python 3.11's own json and hashlib, and the entry's YAML is
/// what ruamel's block dump of that dict writes (the same text as the stage's dvc.lock entry).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineRunCacheTests
{
    private const string Script = "cp data.txt model.txt\nprintf '{\"size\": %s}' \"$(wc -c < data.txt)\" > metrics.json\necho run >> runs.log\n";

    private const string DvcYaml = """
        stages:
          train:
            cmd: sh train.sh
            deps:
            - data.txt
            - train.sh
            params:
            - lr
            outs:
            - model.txt
            metrics:
            - metrics.json:
                cache: false
        """;

    // data.txt "a\n" (md5 60b725f1…), train.sh (md5 37e47b2c…, 102 bytes), lr 0.1 → model.txt "a\n", metrics.json {"size": 2}.
    private const string Key = "60cb3d529445b9a6642ed8a00e7f19b7a73558948dc66566491864335af1df1d";
    private const string Value = "7b1a11f3cd61e034a870738828d214ba9eeca2932667b29cbedce0c8d2537b96";
    private const string Metrics = "{\"size\": 2}";

    private const string Entry = """
        cmd: sh train.sh
        deps:
        - path: data.txt
          hash: md5
          md5: 60b725f10c9c85c70d97880dfe8191b3
          size: 2
        - path: train.sh
          hash: md5
          md5: 37e47b2c56b622eb683373a2f8a749ab
          size: 102
        params:
          params.yaml:
            lr: 0.1
        outs:
        - path: metrics.json
          hash: md5
          md5: 4fa69a04ca3445c65d5ef934de253073
          size: 11
        - path: model.txt
          hash: md5
          md5: 60b725f10c9c85c70d97880dfe8191b3
          size: 2

        """;

    private static async Task<TempDirectory> RepoAsync()
    {
        var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), DvcYaml);
        File.WriteAllText(dir.Combine("train.sh"), Script);
        File.WriteAllText(dir.Combine("params.yaml"), "lr: 0.1\n");
        File.WriteAllText(dir.Combine("data.txt"), "a\n");
        return dir;
    }

    private static string EntryPath(TempDirectory dir) => dir.Combine(".dvc", "cache", "runs", Key[..2], Key, Value);

    private static string ObjectPath(TempDirectory dir, string md5) => dir.Combine(".dvc", "cache", "files", "md5", md5[..2], md5[2..]);

    [Fact]
    public async Task Repro_RecordsTheRunWhereAndAsDvcDoes_UncachedMetricsGoToTheObjectCache()
    {
        using var dir = await RepoAsync();

        await Ok(dir.Path, "repro", "--no-track");

        Assert.Equal(Entry, File.ReadAllText(EntryPath(dir)));
        Assert.Equal(Metrics, File.ReadAllText(ObjectPath(dir, Md5(Metrics))));
        Assert.Equal("schema: '2.0'\nstages:\n  train:\n" + string.Concat(Entry.TrimEnd('\n').Split('\n').Select(l => "    " + l + "\n")), File.ReadAllText(dir.Combine("dvc.lock")));
    }

    [Fact]
    public async Task Repro_RestoresARunDvcRecorded_WithoutRunningIt()
    {
        using var dir = await RepoAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(EntryPath(dir))!);
        File.WriteAllText(EntryPath(dir), Entry);
        foreach (var content in new[] { "a\n", Metrics })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ObjectPath(dir, Md5(content)))!);
            File.WriteAllText(ObjectPath(dir, Md5(content)), content);
        }

        var repro = await Ok(dir.Path, "repro", "--no-track");

        Assert.Contains("Stage 'train' is cached - skipping run, checking out outputs", repro.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("runs.log")));
        Assert.Equal("a\n", File.ReadAllText(dir.Combine("model.txt")));
        Assert.Equal(Metrics, File.ReadAllText(dir.Combine("metrics.json")));
        Assert.Contains("md5: 4fa69a04ca3445c65d5ef934de253073", File.ReadAllText(dir.Combine("dvc.lock")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repro_RevertedInput_RestoresTheEarlierRun_UncachedMetricsIncluded()
    {
        using var dir = await RepoAsync();
        await Ok(dir.Path, "repro", "--no-track");
        File.WriteAllText(dir.Combine("data.txt"), "bb\n");
        await Ok(dir.Path, "repro", "--no-track");
        var changed = File.ReadAllText(dir.Combine("metrics.json"));
        File.WriteAllText(dir.Combine("data.txt"), "a\n");

        var back = await Ok(dir.Path, "repro", "--no-track");

        Assert.Equal("{\"size\": 3}", changed);
        Assert.Contains("Stage 'train' is cached - skipping run, checking out outputs", back.Stdout, StringComparison.Ordinal);
        Assert.Equal("run\nrun\n", File.ReadAllText(dir.Combine("runs.log")));
        Assert.Equal(Metrics, File.ReadAllText(dir.Combine("metrics.json")));
        // The metrics file is tracked by git, not DVC: a file of its own, never a link into the read-only cache.
        Assert.Equal(UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine("metrics.json")) & UnixFileMode.UserWrite);
    }
}
