using Fathom.Jobs;
using Fathom.Tracking;

namespace Fathom.Tests.Jobs;

/// <summary>The runner with the local executor and the SQLite store: lifecycle, environment, retries, timeout, stop.</summary>
public sealed class JobRunnerTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private IJobStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new JobStores().Open(StoreLocation.Parse(_dir.Combine(".fathom"), _dir.Path), TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    private JobRequest Request(string script, string inputs = "", string termination = "", params string[] cliParams)
    {
        var yaml = $$"""
            version: 1.1
            kind: component
            name: step
            inputs:
              - {name: GREETING, type: str, value: hello, toEnv: GREETING_ENV}
            {{inputs}}
            run:
              kind: job
              container:
                image: busybox
                workingDir: "{{_dir.Path}}"
                command: [/bin/sh, -c]
                args: ["{{script}}"]
                env:
                  - {name: PLAIN, value: plain}
            {{termination}}
            """;
        var document = PolyaxonReader.Read(yaml, Path.Combine(_dir.Path, "step.yml"));
        var location = StoreLocation.Parse(_dir.Combine(".fathom"), _dir.Path);
        return new JobRequest(document, CliParams.Parse(cliParams), "tests", AgentConfig.Default(_dir.Combine(".fathom")), location, _dir.Path, "tester");
    }

    private async Task<(JobOutcome Outcome, List<string> Lines, List<JobStatus> Statuses)> RunAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        var runner = new JobRunner(_store, new LocalProcessExecutor(), TimeProvider.System);
        var plan = runner.Plan(request, JobRunner.NewUuid());
        var lines = new List<string>();
        var statuses = new List<JobStatus>();
        var outcome = await runner.RunAsync(request, plan, lines.Add, statuses.Add, cancellationToken);
        return (outcome, lines, statuses);
    }

    [Fact]
    public async Task Run_Succeeds_WithEnvironmentOutputsFolderAndRecord()
    {
        var (outcome, lines, statuses) = await RunAsync(Request(
            "echo $GREETING_ENV $PLAIN $FATHOM_RUN_UUID $POLYAXON_RUN_UUID; echo $FATHOM_TRACKING_URI; echo done > $POLYAXON_RUN_OUTPUTS_PATH/result.txt"));

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal([JobStatus.Queued, JobStatus.Scheduled, JobStatus.Starting, JobStatus.Running, JobStatus.Succeeded], statuses);
        Assert.Equal($"hello plain {outcome.Uuid} {outcome.Uuid}", lines[0]);
        Assert.StartsWith("sqlite:////", lines[1], StringComparison.Ordinal);
        var run = (await _store.GetRunAsync(outcome.Uuid, CancellationToken.None))!;
        Assert.Equal(("tests", "step", "local", 0), (run.Project, run.Name, run.Executor, run.ExitCode));
        Assert.Equal("done\n", await File.ReadAllTextAsync(Path.Combine(run.OutputsPath!, "result.txt")));
        Assert.Contains("hello plain", await File.ReadAllTextAsync(run.LogPath!), StringComparison.Ordinal);
        Assert.Contains("\"GREETING\":\"hello\"", run.InputsJson, StringComparison.Ordinal);
        Assert.Contains("/bin/sh", run.ResolvedSpec, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailsThenRetries_UntilMaxRetries()
    {
        var (outcome, lines, statuses) = await RunAsync(Request("echo try; exit 3", termination: "termination: {maxRetries: 2}"));

        Assert.Equal((JobStatus.Failed, 3, 3), (outcome.Status, outcome.ExitCode, outcome.Attempts));
        Assert.Equal(2, statuses.Count(s => s == JobStatus.Retrying));
        Assert.Equal(3, lines.Count(l => l == "try"));
        var run = (await _store.GetRunAsync(outcome.Uuid, CancellationToken.None))!;
        Assert.Equal((3, 3, "exited with code 3"), (run.Attempt, run.ExitCode, run.Message));
    }

    [Fact]
    public async Task Run_PastTimeout_KillsTheProcessTreeAndFails()
    {
        var marker = _dir.Combine("child-still-alive");
        var started = DateTime.UtcNow.Ticks;
        var (outcome, _, _) = await RunAsync(Request($"(sleep 3; touch {marker}) & sleep 30", termination: "termination: {timeout: 1}"));

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Contains("timed out after 1 s", outcome.Message, StringComparison.Ordinal);
        Assert.True(TimeSpan.FromTicks(DateTime.UtcNow.Ticks - started) < TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(File.Exists(marker), "a child of the job outlived the run");
    }

    [Fact]
    public async Task Run_Cancelled_IsStopped()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var (outcome, _, statuses) = await RunAsync(Request("sleep 30"), cancel.Token);

        Assert.Equal(JobStatus.Stopped, outcome.Status);
        Assert.Equal([JobStatus.Stopping, JobStatus.Stopped], statuses[^2..]);
    }

    [Fact]
    public async Task Run_WorkingDirMissing_FailsWithTheFolder()
    {
        var request = Request("true");
        var plan = new JobRunner(_store, new LocalProcessExecutor(), TimeProvider.System).Plan(request, JobRunner.NewUuid());
        var job = plan.Launch.Job with { Run = ((JobRunSpec)plan.Launch.Job.Run) with { Container = plan.Launch.Job.Container! with { WorkingDir = "/no/such/folder" } } };
        var outcome = await new JobRunner(_store, new LocalProcessExecutor(), TimeProvider.System)
            .RunAsync(request, plan with { Launch = plan.Launch with { Job = job } }, _ => { }, null, CancellationToken.None);
        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Contains("'/no/such/folder' does not exist", outcome.Message, StringComparison.Ordinal);
    }
}
