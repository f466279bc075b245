using System.Diagnostics;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// Jobs run by <c>fathom server</c>'s queue, driven the way a user drives them: the CLI as a process against the real
/// server on loopback over a SQLite store, and the REST API where the CLI has no command.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JobServerTests : IDisposable
{
    private readonly JobServerSteps _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Run_WithAServer_SubmitsAndWatchFollowsTheLogAndStatusToTheEnd()
    {
        await _server.StartAsync();
        var file = _server.Component("hello", "echo hello $WHO; echo uri=$FATHOM_TRACKING_URI mlflow=$MLFLOW_TRACKING_URI; echo run=$FATHOM_RUN_UUID; sleep 1; echo bye");

        var run = await _server.FathomAsync("run", "-f", file, "-P", "WHO=fathom", "-p", "demo", "--watch");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("hello fathom", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"uri={_server.Url} mlflow={_server.Url}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("bye", run.Stdout, StringComparison.Ordinal);
        var uuid = run.Stdout.Split('\n').Single(l => l.StartsWith("run=", StringComparison.Ordinal))[4..];
        Assert.Contains($"Run {uuid}: succeeded", run.Stderr, StringComparison.Ordinal);

        var listed = await _server.FathomAsync("ops", "ls", "-p", "demo", "--json");
        var runs = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("runs");
        Assert.Equal((uuid, "succeeded", 0), (runs[0].GetProperty("uuid").GetString(), runs[0].GetProperty("status").GetString(), runs[0].GetProperty("exit_code").GetInt32()));

        var get = JsonDocument.Parse((await _server.FathomAsync("ops", "get", uuid[..8], "--json")).Stdout).RootElement;
        Assert.Equal(["created", "queued", "scheduled", "starting", "running", "succeeded"], get.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Equal("fathom", get.GetProperty("inputs").GetProperty("WHO").GetString());

        var logs = await _server.FathomAsync("ops", "logs", uuid, "--tail", "1");
        Assert.Equal("bye\n", logs.Stdout);
    }

    [Fact]
    public async Task OpsLogsFollow_PrintsLinesAsTheJobWritesThem_AndEndsWithTheRun()
    {
        await _server.StartAsync();
        var uuid = await _server.SubmitAsync("demo", _server.Component("slow", "echo one; sleep 2; echo two"));
        await _server.WaitForAsync(uuid, "running");

        var clock = Stopwatch.StartNew();
        var follow = await _server.FathomAsync("ops", "logs", uuid, "-f");

        Assert.True(follow.ExitCode == 0, follow.ToString());
        Assert.Equal("one\ntwo\n", follow.Stdout);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1), "ops logs -f returned before the job had written its second line");
        Assert.Equal("succeeded", (await _server.GetRunAsync(uuid)).GetProperty("status").GetString());

        // A client that lost the connection resumes at the bytes it has.
        using var resumed = await _server.Http.GetAsync($"/api/v1/runs/{uuid}/logs?offset=4");
        Assert.Equal("two\n", await resumed.Content.ReadAsStringAsync());
        Assert.Equal("8", resumed.Headers.GetValues("X-Fathom-Log-Offset").Single());
    }

    [Fact]
    public async Task Stop_KillsTheWholeProcessTree_AndRestartRunsACopyWithTheSameInputs()
    {
        await _server.StartAsync();
        var run = await _server.FathomAsync("run", "-f", _server.Component("sleeper", "echo started $WHO; sleep 300 & wait"), "-P", "WHO=again", "-p", "demo");
        Assert.True(run.ExitCode == 0, run.ToString());
        var uuid = run.Stdout.Trim();
        await _server.WaitForAsync(uuid, "running");
        var pidFile = Directory.EnumerateFiles(_server.Store, "attempt-1.pid", SearchOption.AllDirectories).Single(f => f.Contains(uuid, StringComparison.Ordinal));
        var pid = int.Parse(File.ReadAllText(pidFile).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

        var stop = await _server.FathomAsync("ops", "stop", uuid, "--json");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal("stopped", JsonDocument.Parse(stop.Stdout).RootElement.GetProperty("status").GetString());
        // No process of the job's session is left (the shell and the sleep it started).
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc"), d => SessionOf(d) == pid);

        var restart = await _server.FathomAsync("ops", "restart", uuid, "--json");
        Assert.True(restart.ExitCode == 0, restart.ToString());
        var copy = JsonDocument.Parse(restart.Stdout).RootElement;
        Assert.NotEqual(uuid, copy.GetProperty("uuid").GetString());
        Assert.Equal("again", copy.GetProperty("inputs").GetProperty("WHO").GetString());
        await _server.WaitForAsync(copy.GetProperty("uuid").GetString()!, "running");
        Assert.Equal(0, (await _server.FathomAsync("ops", "stop", copy.GetProperty("uuid").GetString()!)).ExitCode);

        var deleted = await _server.FathomAsync("ops", "delete", uuid, "--json");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.False(Directory.Exists(Path.GetDirectoryName(pidFile)));
        Assert.Equal(3, (await _server.FathomAsync("ops", "get", uuid)).ExitCode);
    }

    [Fact]
    public async Task FailedJob_IsRetriedAsTerminationSays_AndATimeoutFailsIt()
    {
        await _server.StartAsync();
        var failing = await _server.SubmitAsync("demo", _server.Component("flaky", "echo try; exit 3", "termination: {maxRetries: 1}"));
        var slow = await _server.SubmitAsync("demo", _server.Component("slow", "sleep 300", "termination: {timeout: 1}"));

        var failed = await _server.WaitForAsync(failing, "failed");
        var timedOut = await _server.WaitForAsync(slow, "failed");

        Assert.Equal((3, 2, "exited with code 3"), (failed.GetProperty("exit_code").GetInt32(), failed.GetProperty("attempt").GetInt32(), failed.GetProperty("message").GetString()));
        var log = await _server.FathomAsync("ops", "logs", failing);
        Assert.Equal("try\n--- attempt 2 of 2 ---\ntry\n", log.Stdout);
        Assert.StartsWith("timed out after 1 s", timedOut.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadSubmissions_AreRefusedNamingTheField_AndRecordNothing()
    {
        await _server.StartAsync();
        var typo = _server.Component("typo", "echo {{ WHOO }}");

        var cli = await _server.FathomAsync("run", "-f", typo, "-p", "demo");
        var (duplicate, duplicateBody) = await _server.SendAsync(HttpMethod.Post, "/api/v1/projects/demo/runs", """{"content": "a", "content": "b"}""");
        var (unknown, unknownBody) = await _server.SendAsync(HttpMethod.Post, "/api/v1/projects/demo/runs", """{"content": "a", "param": {}}""");
        var (path, pathBody) = await _server.SendAsync(HttpMethod.Post, "/api/v1/projects/demo/runs",
            JsonSerializer.Serialize(new { content = File.ReadAllText(typo), file_name = "../escape.yml" }));

        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("'WHOO' is undefined; did you mean 'WHO'?", cli.Stderr, StringComparison.Ordinal);
        Assert.Equal(400, duplicate);
        Assert.Contains("Duplicate", duplicateBody.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal((400, "Unknown field 'param'; a submission has content, file_name, params, executor, directory."), (unknown, unknownBody.GetProperty("message").GetString()));
        Assert.Equal(400, path);
        Assert.StartsWith("file_name: '../escape.yml' is not a plain file name", pathBody.GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, list) = await _server.SendAsync(HttpMethod.Get, "/api/v1/projects/demo/runs");
        Assert.Empty(list.GetProperty("runs").EnumerateArray());
    }

    // The session id of a /proc entry (field 6 of stat), or -1.
    private static int SessionOf(string procEntry)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procEntry, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? -1 : int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
