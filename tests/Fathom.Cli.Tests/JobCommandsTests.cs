using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom run</c>, <c>projects</c> and <c>ops</c> on the sample's Polyaxon files, as a user types them.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JobCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _imdb;
    private readonly Dictionary<string, string> _environment;

    public JobCommandsTests()
    {
        _imdb = _dir.Combine("imdb");
        CliSteps.CopyFolder(RepositorySamples.Imdb, _imdb);
        _environment = CliSteps.ShimEnvironment(_dir);
    }

    public void Dispose() => _dir.Dispose();

    private Task<CliResult> Fathom(params string[] args) => FathomProcess.RunAsync(_imdb, _environment, TimeSpan.FromMinutes(5), args);

    [Fact]
    public async Task Run_ProcessData_CallsFathomPrepAndRecordsTheRunLinkedToItsTrackingRun()
    {
        var run = await Fathom("run", "-f", "polyaxon/process-data.yml", "-P", "RAW_DATA_DIRS=[\".\"]", "-P", $"WORKING_DIR={_imdb}",
            "-P", "PROCESSED_DATA_DIR=data/processed", "-p", "imdb", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var outcome = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("succeeded", outcome.GetProperty("status").GetString());
        var uuid = outcome.GetProperty("uuid").GetString()!;
        Assert.Equal(1400, Directory.EnumerateFiles(Path.Combine(_imdb, "data", "processed"), "*.txt", SearchOption.AllDirectories).Count());
        Assert.Contains("note: the local executor runs the command on this machine; image registry.example.com/imdb/data-prep:0.1.0 is not used", run.Stderr, StringComparison.Ordinal);

        var get = JsonDocument.Parse((await CliSteps.Ok(_imdb, "ops", "get", uuid[..8], "--json")).Stdout).RootElement;
        Assert.Equal(("succeeded", "imdb", "local", 0), (get.GetProperty("status").GetString(), get.GetProperty("project").GetString(), get.GetProperty("executor").GetString(), get.GetProperty("exit_code").GetInt32()));
        Assert.Equal(["created", "queued", "scheduled", "starting", "running", "succeeded"], get.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Equal(".", get.GetProperty("inputs").GetProperty("RAW_DATA_DIRS")[0].GetString());
        Assert.Contains("data_prep.raw_dirs_paths=['.']", get.GetProperty("resolved_spec").GetProperty("run").GetProperty("container").GetProperty("args")[0].GetString(), StringComparison.Ordinal);
        var trackingRun = Assert.Single(get.GetProperty("tracking_runs").EnumerateArray()).GetString()!;
        var tracked = (await CliSteps.Ok(_imdb, "runs", "show", trackingRun, "--json")).Stdout;
        Assert.Contains(uuid, tracked, StringComparison.Ordinal);

        var logs = await CliSteps.Ok(_imdb, "ops", "logs", uuid);
        Assert.Contains("Cleaned 1,400 of 1,400 reviews", logs.Stdout, StringComparison.Ordinal);
        var projects = JsonDocument.Parse((await CliSteps.Ok(_imdb, "projects", "ls", "--json")).Stdout).RootElement.GetProperty("projects");
        Assert.Equal(("imdb", 1), (projects[0].GetProperty("name").GetString(), projects[0].GetProperty("runs").GetInt32()));

        var deleted = await CliSteps.Ok(_imdb, "ops", "delete", uuid);
        Assert.Contains($"Run {uuid} deleted.", deleted.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_imdb, ".fathom", "jobs", "artifacts", uuid)));
        Assert.Empty(JsonDocument.Parse((await CliSteps.Ok(_imdb, "ops", "ls", "--json")).Stdout).RootElement.GetProperty("runs").EnumerateArray());
    }

    [Fact]
    public async Task Run_KubernetesDryRun_PrintsTheJobManifestAsYaml()
    {
        var result = await CliSteps.Ok(_imdb, "run", "-f", "polyaxon/process-data.yml", "-P", "RAW_DATA_DIRS=[\"/data/raw/set1\"]",
            "-P", "WORKING_DIR=/home/aisg/repo", "-p", "imdb", "--executor", "kubernetes", "--dry-run");

        Assert.Contains("# kubernetes executor creates (as kubectl create --namespace ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("---\napiVersion: batch/v1\nkind: Job\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("        image: registry.example.com/imdb/data-prep:0.1.0\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("      imagePullSecrets:\n      - name: registry-credentials\n", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(_imdb, ".fathom", "jobs")) ? Directory.EnumerateFileSystemEntries(Path.Combine(_imdb, ".fathom", "jobs")) : []);
    }

    [Fact]
    public async Task Run_ContainerDryRun_PrintsTheResolvedSpecAndTheExactCommand()
    {
        File.WriteAllText(Path.Combine(_imdb, "agent.yaml"), """
            connections:
              - name: fstore-pvc
                kind: volume_claim
                schema: {volumeClaim: fstore-pvc, mountPath: /data}
                localPath: /srv/fstore
            container:
              runtime: podman
              flags: [--runtime, runc, --cgroup-manager, cgroupfs]
              runFlags: [--ulimit, "nofile=1024:1024", --ulimit, "nproc=1000:1000"]
            """);
        var result = await CliSteps.Ok(_imdb, "run", "-f", "polyaxon/process-data.yml", "-P", "RAW_DATA_DIRS=[\"/data/raw/set1\"]",
            "-P", "PROCESSED_DATA_DIR=/data/processed/combined", "-P", "WORKING_DIR=/home/aisg/repo", "--executor", "container", "--dry-run", "--agent", "agent.yaml");

        Assert.Contains("    workingDir: /home/aisg/repo\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("    - fathom prep --experiment data-prep \"data_prep.raw_dirs_paths=['/data/raw/set1']\" data_prep.processed_data_path=/data/processed/combined\n", result.Stdout, StringComparison.Ordinal);
        var command = result.StdoutLines[^1];
        Assert.StartsWith("podman --runtime runc --cgroup-manager cgroupfs run --rm --name fathom-", command, StringComparison.Ordinal);
        Assert.Contains(" --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 --pull=missing --workdir /home/aisg/repo ", command, StringComparison.Ordinal);
        Assert.Contains($" --volume {Path.Combine(_imdb, ".fathom", "jobs", "artifacts")}:/plx-context/artifacts --volume /srv/fstore:/data --cpus=2 --memory=2147483648 ", command, StringComparison.Ordinal);
        Assert.EndsWith(" --entrypoint /bin/bash registry.example.com/imdb/data-prep:0.1.0 -c 'fathom prep --experiment data-prep \"data_prep.raw_dirs_paths=['\\''/data/raw/set1'\\'']\" data_prep.processed_data_path=/data/processed/combined'", command, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_imdb, ".fathom")), "a dry run records nothing");
    }

    [Theory]
    [InlineData("-P|RAW_DATA_DIRS=/data/raw", "-P RAW_DATA_DIRS: Could not parse value `/data/raw` for `RAW_DATA_DIRS` (type list): expected a list, written as JSON: '[\"a\", \"b\"]'.")]
    [InlineData("-P|RAW_DATA_DIR=[\"a\"]", "-P RAW_DATA_DIR: polyaxon/process-data.yml declares no input or output named 'RAW_DATA_DIR'; did you mean 'RAW_DATA_DIRS'?")]
    [InlineData("-P|RAW_DATA_DIRS", "Invalid format for -P parameter: 'RAW_DATA_DIRS'. Use -P name=value.")]
    public async Task Run_BadParam_OneClearLineExit2AndNothingRecorded(string given, string expected)
    {
        var result = await Fathom(["run", "-f", "polyaxon/process-data.yml", "-P", "WORKING_DIR=/w", .. given.Split('|')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_imdb, ".fathom", "jobs")));
    }

    [Fact]
    public async Task Run_MissingInputsAndBadFiles_NamedWithTheFix()
    {
        var missing = await Fathom("run", "-f", "polyaxon/process-data.yml");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("missing required inputs WORKING_DIR, RAW_DATA_DIRS: pass them with -P WORKING_DIR=VALUE -P RAW_DATA_DIRS='[\"a\", \"b\"]'.", missing.Stderr, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_imdb, "typo.yml"), File.ReadAllText(Path.Combine(_imdb, "polyaxon", "process-data.yml")).Replace("{{ DOCKER_IMAGE }}", "{{ DOCKER_NAME }}", StringComparison.Ordinal));
        var undefined = await Fathom("run", "-f", "typo.yml", "-P", "WORKING_DIR=/w", "-P", "RAW_DATA_DIRS=[\"a\"]", "--dry-run");
        Assert.Equal(2, undefined.ExitCode);
        Assert.Contains("typo.yml:33: run.container.image: 'DOCKER_NAME' is undefined; did you mean 'DOCKER_IMAGE'?", undefined.Stderr, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_imdb, "bad.yml"), "version: 1.1\nkind: component\nrun:\n  kind: job\n  container:\n    image: a\n    workinDir: /x\n");
        var bad = await Fathom("run", "-f", "bad.yml");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("bad.yml:7: run.container.workinDir: unknown field; did you mean 'workingDir'?", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingJob_Exit1WithTheExitCodeRecorded()
    {
        File.WriteAllText(Path.Combine(_imdb, "fail.yml"), "version: 1.1\nkind: component\nrun:\n  kind: job\n  container:\n    command: [sh, -c, 'echo boom; exit 7']\n");
        var result = await Fathom("run", "-f", "fail.yml", "--json");
        Assert.Equal(1, result.ExitCode);
        var outcome = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(("failed", 7), (outcome.GetProperty("status").GetString(), outcome.GetProperty("exit_code").GetInt32()));
        Assert.Contains("boom", result.Stderr, StringComparison.Ordinal);
        await CliSteps.Ok(_imdb, "projects", "create", "nlp", "--description", "reviews");
        var again = await Fathom("projects", "create", "nlp");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("Project 'nlp' already exists.", again.Stderr, StringComparison.Ordinal);
        var projects = await CliSteps.Ok(_imdb, "projects", "ls");
        Assert.Contains("default", projects.Stdout, StringComparison.Ordinal);
        Assert.Contains("reviews", projects.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Terminated_StopsTheWholeJobAndRecordsStopped()
    {
        // The job prints the pid of a grandchild that would outlive a careless stop.
        File.WriteAllText(Path.Combine(_imdb, "sleeper.yml"), "version: 1.1\nkind: component\nname: sleeper\nrun:\n  kind: job\n  container:\n    command: [sh, -c, 'sleep 120 & echo $!; wait']\n");
        using var process = FathomProcess.Start(_imdb, _environment, "run", "-f", "sleeper.yml");
        var stderr = process.StandardError.ReadToEndAsync();
        var grandchild = int.Parse((await process.StandardOutput.ReadLineAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        FathomProcess.Terminate(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains(": stopped — stopped by the user", await stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{grandchild}") && !File.ReadAllText($"/proc/{grandchild}/stat").Contains(") Z ", StringComparison.Ordinal), "a process of the job outlived its run");
        var runs = JsonDocument.Parse((await CliSteps.Ok(_imdb, "ops", "ls", "--json")).Stdout).RootElement.GetProperty("runs");
        Assert.Equal("stopped", runs[0].GetProperty("status").GetString());
    }
}
