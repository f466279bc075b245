using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom run --executor container</c> running real containers with podman, on an image the fixture builds from
/// busybox: inputs reach the job as env, a connection is mounted, the log is captured, the exit code comes back, and a
/// stopped run leaves no container behind.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContainerJobTests(PodmanFixture podman) : IClassFixture<PodmanFixture>, IDisposable
{
    private const string Component = $$$"""
        version: 1.1
        kind: component
        name: greet
        inputs:
          - {name: GREETING, type: str, toEnv: GREETING}
          - {name: CODE, type: int, value: 0}
        run:
          kind: job
          connections: [workspace]
          container:
            image: {{{PodmanFixture.Image}}}
            imagePullPolicy: Never
            command: [sh, -c]
            args: ["echo \"$GREETING from $(cat /workspace/name.txt)\"; echo written > {{ globals.run_outputs_path }}/result.txt; exit {{ CODE }}"]
        """;

    private const string Agent = """
        connections:
          - name: workspace
            kind: volume_claim
            schema: {volumeClaim: workspace-pvc, mountPath: /workspace}
            localPath: workspace
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    public async Task RunContainer_ComponentWithInputsAndConnection_RunsInPodmanWithLogOutputsAndExitCode()
    {
        Skip.If(podman.Unavailable is not null, podman.Unavailable);
        _dir.WriteFile("greet.yml", Component);
        _dir.WriteFile("agent.yaml", Agent);
        _dir.WriteFile("workspace/name.txt", "the workspace\n");

        var ok = await FathomAsync("run", "-f", "greet.yml", "-P", "GREETING=hello", "--executor", "container", "--agent", "agent.yaml", "--json");
        var failed = await FathomAsync("run", "-f", "greet.yml", "-P", "GREETING=bye", "-P", "CODE=7", "--executor", "container", "--agent", "agent.yaml", "--json");

        Assert.True(ok.ExitCode == 0, ok.ToString());
        var outcome = JsonDocument.Parse(ok.Stdout).RootElement;
        Assert.Equal(("succeeded", 0), (outcome.GetProperty("status").GetString(), outcome.GetProperty("exit_code").GetInt32()));
        var uuid = outcome.GetProperty("uuid").GetString()!;
        Assert.Contains("hello from the workspace", ok.Stderr, StringComparison.Ordinal); // --json: the job's output goes to stderr
        Assert.Equal("written\n", File.ReadAllText(_dir.Combine(".fathom", "jobs", "artifacts", uuid, "outputs", "result.txt")));
        var logs = await FathomAsync("ops", "logs", uuid);
        Assert.Equal("hello from the workspace", logs.StdoutLines.Single());
        var get = JsonDocument.Parse((await FathomAsync("ops", "get", uuid, "--json")).Stdout).RootElement;
        Assert.Equal("container", get.GetProperty("executor").GetString());

        Assert.Equal(1, failed.ExitCode);
        var failure = JsonDocument.Parse(failed.Stdout).RootElement;
        Assert.Equal(("failed", 7, "exited with code 7"),
            (failure.GetProperty("status").GetString(), failure.GetProperty("exit_code").GetInt32(), failure.GetProperty("message").GetString()));
        Assert.Contains("bye from the workspace", failed.Stderr, StringComparison.Ordinal);
        Assert.Empty(await PodmanFixture.PodmanAsync("ps", "-a", "--filter", "name=fathom-" + uuid, "--format", "{{.Names}}")); // --rm
    }

    [SkippableFact]
    public async Task RunContainer_Terminated_RemovesTheContainerAndRecordsStopped()
    {
        Skip.If(podman.Unavailable is not null, podman.Unavailable);
        // busybox sh as the container's first process ignores SIGTERM: only removing the container stops it.
        _dir.WriteFile("sleeper.yml", $"version: 1.1\nkind: component\nname: sleeper\nrun:\n  kind: job\n  container:\n    image: {PodmanFixture.Image}\n    command: [sh, -c, 'echo started; sleep 120']\n");
        using var process = FathomProcess.Start(_dir.Path, PodmanFixture.FlagsEnvironment, "run", "-f", "sleeper.yml", "--executor", "container");
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.Equal("started", await process.StandardOutput.ReadLineAsync());
        var listed = await FathomAsync("ops", "ls", "--json");
        var uuid = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("runs")[0].GetProperty("uuid").GetString()!;
        Assert.Equal("fathom-" + uuid, await PodmanFixture.PodmanAsync("ps", "--filter", "name=fathom-" + uuid, "--format", "{{.Names}}"));

        FathomProcess.Terminate(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains(": stopped — stopped by the user", await stderr, StringComparison.Ordinal);
        Assert.Empty(await PodmanFixture.PodmanAsync("ps", "-a", "--filter", "name=fathom-" + uuid, "--format", "{{.Names}}"));
        var runs = JsonDocument.Parse((await FathomAsync("ops", "ls", "--json")).Stdout).RootElement.GetProperty("runs");
        Assert.Equal("stopped", runs[0].GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task ServerRunsContainerJobs_WatchFollowsTheLog_AndStopRemovesTheContainer()
    {
        Skip.If(podman.Unavailable is not null, podman.Unavailable);
        using var server = new JobServerSteps();
        foreach (var (key, value) in PodmanFixture.FlagsEnvironment)
        {
            server.ServerEnvironment[key] = value;
        }

        await server.StartAsync();
        var hello = Path.Combine(server.Work, "hello.yml");
        File.WriteAllText(hello, $"version: 1.1\nkind: component\nname: hello\ninputs:\n  - {{name: WHO, type: str, toEnv: WHO}}\nrun:\n  kind: job\n  container:\n    image: {PodmanFixture.Image}\n    command: [sh, -c, 'echo hello $WHO; exit 3']\n");
        var sleeper = Path.Combine(server.Work, "sleeper.yml");
        File.WriteAllText(sleeper, $"version: 1.1\nkind: component\nname: sleeper\nrun:\n  kind: job\n  container:\n    image: {PodmanFixture.Image}\n    command: [sh, -c, 'echo started; sleep 120']\n");

        var watched = await server.FathomAsync("run", "-f", hello, "-P", "WHO=podman", "--executor", "container", "--watch");
        var body = JsonSerializer.Serialize(new { content = File.ReadAllText(sleeper), file_name = "sleeper.yml", executor = "container" });
        var (status, answer) = await server.SendAsync(HttpMethod.Post, "/api/v1/projects/demo/runs", body);
        Assert.True(status == 200, answer.ToString());
        var uuid = answer.GetProperty("run").GetProperty("uuid").GetString()!;
        await server.WaitForAsync(uuid, "running");
        while (!(await server.FathomAsync("ops", "logs", uuid)).Stdout.Contains("started", StringComparison.Ordinal))
        {
            await Task.Delay(100);
        }

        var stop = await server.FathomAsync("ops", "stop", uuid);
        var stopped = await server.WaitForAsync(uuid, "stopped", "failed");

        Assert.Equal(1, watched.ExitCode);
        Assert.Contains("hello podman", watched.Stdout, StringComparison.Ordinal);
        Assert.Contains("failed", watched.Stderr, StringComparison.Ordinal);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal(("stopped", "container"), (stopped.GetProperty("status").GetString(), stopped.GetProperty("executor").GetString()));
        Assert.Empty(await PodmanFixture.PodmanAsync("ps", "-a", "--filter", "name=fathom-" + uuid, "--format", "{{.Names}}"));
    }

    private Task<CliResult> FathomAsync(params string[] args) => FathomProcess.RunAsync(_dir.Path, PodmanFixture.FlagsEnvironment, TimeSpan.FromMinutes(2), args);
}
