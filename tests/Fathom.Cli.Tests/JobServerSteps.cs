using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// A <c>fathom server</c> process with its job queue, on loopback over a SQLite store in a temporary folder, and the
/// steps the job-server tests share: start and stop it, write a component file, call the jobs API, wait for a status.
/// </summary>
internal sealed class JobServerSteps : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly int _port = Loopback.FreePort();
    private Process? _server;
    private Task<string>? _serverErrors;

    public JobServerSteps()
    {
        Http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
        Directory.CreateDirectory(Work);
    }

    public string Url => $"http://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}";

    public string Store => _dir.Combine("store");

    public string Work => _dir.Combine("work");

    public HttpClient Http { get; }

    /// <summary>Extra settings of the server's process (auth).</summary>
    public Dictionary<string, string> ServerEnvironment { get; } = [];

    public async Task StartAsync(params string[] extra)
    {
        _server = FathomProcess.Start(Work, ServerEnvironment, ["server", "--port", _port.ToString(CultureInfo.InvariantCulture), "--store", Store, .. extra]);
        _ = _server.StandardOutput.ReadToEndAsync();
        _serverErrors = _server.StandardError.ReadToEndAsync();
        await Loopback.WaitForHealthAsync(Http, _server, TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the server outright (no graceful stop), as a crash or an OOM kill would.</summary>
    public async Task<string> KillAsync()
    {
        _server!.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
        _server = null;
        return await _serverErrors!;
    }

    public string Component(string name, string shell, string extra = "")
    {
        var path = Path.Combine(Work, name + ".yml");
        File.WriteAllText(path, $"""
            version: 1.1
            kind: component
            name: {name}
            inputs:
              - {"{"}name: WHO, type: str, value: world, isOptional: true, toEnv: WHO{"}"}
            {extra}
            run:
              kind: job
              container:
                image: busybox
                command: [sh, -c]
                args: ["{shell}"]
            """);
        return path;
    }

    /// <summary>Writes a polyaxonfile as given into the work folder; its path.</summary>
    public string ComponentRaw(string name, string content)
    {
        var path = Path.Combine(Work, name + ".yml");
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The CLI as a user runs it against this server.</summary>
    public Task<CliResult> FathomAsync(params string[] args) =>
        FathomProcess.RunAsync(Work, new Dictionary<string, string> { ["FATHOM_TRACKING_URI"] = Url }, TimeSpan.FromMinutes(3), args);

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null, string? user = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{user}-password-1234")));
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Submits a file through the API; the run's uuid.</summary>
    public async Task<string> SubmitAsync(string project, string file, string? user = null)
    {
        var body = JsonSerializer.Serialize(new { content = File.ReadAllText(file), file_name = Path.GetFileName(file) });
        var (status, answer) = await SendAsync(HttpMethod.Post, $"/api/v1/projects/{project}/runs", body, user);
        Assert.True(status == 200, answer.ToString());
        return answer.GetProperty("run").GetProperty("uuid").GetString()!;
    }

    public async Task<JsonElement> GetRunAsync(string uuid, string? user = null)
    {
        var (status, answer) = await SendAsync(HttpMethod.Get, $"/api/v1/runs/{uuid}", null, user);
        Assert.True(status == 200, answer.ToString());
        return answer.GetProperty("run");
    }

    /// <summary>Waits (60 s at most) until the run is in one of <paramref name="statuses"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string uuid, params string[] statuses)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = await GetRunAsync(uuid);
            if (statuses.Contains(run.GetProperty("status").GetString()))
            {
                return run;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"run {uuid} is still {run.GetProperty("status").GetString()}, not {string.Join(" or ", statuses)}");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        if (_server is not null)
        {
            _server.Kill();
            _server.WaitForExit();
            _server.Dispose();
        }

        // Jobs a test left behind run in sessions of their own: end them with their groups before the folder goes.
        foreach (var pidFile in Directory.Exists(Store) ? Directory.EnumerateFiles(Store, "attempt-*.pid", SearchOption.AllDirectories) : [])
        {
            if (File.Exists(Path.ChangeExtension(pidFile, ".exit")))
            {
                continue;
            }

            var pid = File.ReadAllText(pidFile).Split(' ')[0];
            using var kill = Process.Start("kill", ["-KILL", "--", "-" + pid]);
            kill.WaitForExit();
        }

        Http.Dispose();
        _dir.Dispose();
    }
}
