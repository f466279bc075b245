using System.Diagnostics;
using System.Globalization;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom server</c> killed while its jobs run, then started again: every run is found again — followed to its end
/// while its process lives, ended as its exit file says when it finished meanwhile, failed with the reason when its
/// process is gone — and none stays running.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JobServerRestartTests : IDisposable
{
    private readonly JobServerSteps _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task ServerKilledWhileJobsRun_RestartReattachesOrFailsEachWithTheReason()
    {
        // Three run at once: the fourth waits in the queue across the restart.
        await _server.StartAsync("--max-runs-per-executor", "3");
        var finishesWhileDown = await _server.SubmitAsync("demo", _server.Component("quick", "echo a1; sleep 2; echo a2"));
        var outlivesTheServer = await _server.SubmitAsync("demo", _server.Component("long", "echo b1; sleep 15; echo b2; exit 4"));
        var killedWhileDown = await _server.SubmitAsync("demo", _server.Component("victim", "echo c1; sleep 300"));
        var queued = await _server.SubmitAsync("later", _server.Component("later", "echo d1"));
        foreach (var uuid in new[] { finishesWhileDown, outlivesTheServer, killedWhileDown })
        {
            await _server.WaitForAsync(uuid, "running");
        }

        Assert.Equal("queued", (await _server.GetRunAsync(queued)).GetProperty("status").GetString());

        await _server.KillAsync();
        var victimPid = int.Parse(File.ReadAllText(PidFile(killedWhileDown)).Split(' ')[0], CultureInfo.InvariantCulture);
        using (var kill = Process.Start("kill", ["-KILL", "--", "-" + victimPid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await _server.StartAsync();

        var quick = await _server.WaitForAsync(finishesWhileDown, "succeeded", "failed");
        var victim = await _server.WaitForAsync(killedWhileDown, "succeeded", "failed");
        Assert.Equal("running", (await _server.GetRunAsync(outlivesTheServer)).GetProperty("status").GetString());
        var longRun = await _server.WaitForAsync(outlivesTheServer, "succeeded", "failed");
        var later = await _server.WaitForAsync(queued, "succeeded", "failed");

        Assert.Equal(("succeeded", 0), (quick.GetProperty("status").GetString(), quick.GetProperty("exit_code").GetInt32()));
        Assert.Equal(("failed", 4, "exited with code 4"), (longRun.GetProperty("status").GetString(), longRun.GetProperty("exit_code").GetInt32(), longRun.GetProperty("message").GetString()));
        Assert.Equal("failed", victim.GetProperty("status").GetString());
        Assert.Equal("the server stopped while the run was running, and its process is gone without an exit status (killed, or the machine restarted).", victim.GetProperty("message").GetString());
        Assert.Equal("succeeded", later.GetProperty("status").GetString());
        // Logs are whole: what was written while no server watched is there.
        Assert.Equal("a1\na2\n", (await _server.FathomAsync("ops", "logs", finishesWhileDown)).Stdout);
        Assert.Equal("b1\nb2\n", (await _server.FathomAsync("ops", "logs", outlivesTheServer)).Stdout);
    }

    private string PidFile(string uuid) =>
        Directory.EnumerateFiles(_server.Store, "attempt-1.pid", SearchOption.AllDirectories).Single(f => f.Contains(uuid, StringComparison.Ordinal));
}
