using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Fathom.Bench;

/// <summary>
/// <c>jobs-server [--runs 1000] [--lines 50] [--fathom fathom.dll]</c>: the server's job queue as a user meets it, against
/// <c>fathom server</c> as a process. Queue: one job holds the only executor slot, <c>--runs</c> more are submitted
/// over HTTP and wait; the server's resident memory is read before, after the submissions and after 20 s of the
/// dispatcher looking at the full queue (targets: flat). Logs: a job prints the clock (<c>date +%s%N</c>) five times a
/// second and <c>fathom ops logs -f</c> (a process) follows it; each line's delay is the clock when the line reaches the
/// follower minus the clock in it (target: under 500 ms).
/// </summary>
internal static class JobsServerBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(BenchSupport.Option(args, "--runs") ?? "1000", CultureInfo.InvariantCulture);
        var lines = int.Parse(BenchSupport.Option(args, "--lines") ?? "50", CultureInfo.InvariantCulture);
        var cli = Path.GetFullPath(BenchSupport.Option(args, "--fathom") ?? BenchSupport.DefaultCli());
        if (!File.Exists(cli))
        {
            Console.Error.WriteLine($"{cli} not found: build the CLI (dotnet build src/Fathom.Cli -c Release) or pass --fathom PATH/fathom.dll.");
            return 2;
        }

        var folder = Path.Combine(Path.GetTempPath(), "fathom-bench-jobs-server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        Console.WriteLine($"jobs-server: {runs} queued runs, {lines} followed log lines; {cli}; load average {BenchSupport.LoadAverage()}");
        try
        {
            await QueueAsync(cli, folder, runs);
            await LogLatencyAsync(cli, folder, lines);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task QueueAsync(string cli, string folder, int runs)
    {
        await using var server = await Server.StartAsync(cli, Path.Combine(folder, "queue"), "--max-runs-per-executor", "1");
        var blocker = await server.SubmitAsync("block", "sleep 600");
        var before = server.RssKib();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
        {
            await server.SubmitAsync("bench", "echo queued");
        }

        var submitted = clock.Elapsed;
        var afterSubmit = server.RssKib();
        await Task.Delay(TimeSpan.FromSeconds(20));
        var afterIdle = server.RssKib();
        var queued = await server.CountAsync("bench", "queued");
        Console.WriteLine($"  queue: {runs} submissions in {submitted.TotalSeconds:F1} s ({submitted.TotalMilliseconds / runs:F1} ms each); {queued} still queued behind the one running");
        Console.WriteLine($"  server RSS: {before / 1024.0:F0} MiB before, {afterSubmit / 1024.0:F0} MiB after the submissions, {afterIdle / 1024.0:F0} MiB after 20 s of dispatching a full queue");
        await server.StopRunAsync(blocker);
    }

    private static async Task LogLatencyAsync(string cli, string folder, int lines)
    {
        await using var server = await Server.StartAsync(cli, Path.Combine(folder, "logs"));
        var uuid = await server.SubmitAsync("bench", "while true; do date +%s%N; sleep 0.2; done");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { cli, "ops", "logs", uuid, "-f" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FATHOM_TRACKING_URI"] = server.Url;
        using var follower = Process.Start(start)!;
        var delays = new List<double>();
        var skip = 3; // the lines already written when the follower connected, and its start-up
        while (delays.Count < lines && await follower.StandardOutput.ReadLineAsync() is { } line)
        {
            var now = (TimeProvider.System.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
            if (skip-- > 0 || !long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var written))
            {
                continue;
            }

            delays.Add((now - written) / 1e6);
        }

        await server.StopRunAsync(uuid);
        await follower.WaitForExitAsync();
        delays.Sort();
        Console.WriteLine($"  log line → ops logs -f: median {delays[delays.Count / 2]:F0} ms, p95 {delays[(int)(delays.Count * 0.95)]:F0} ms, max {delays[^1]:F0} ms over {delays.Count} lines (target < 500 ms)");
    }

    private sealed class Server : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;

        private Server(Process process, string url)
        {
            _process = process;
            Url = url;
            _http = new HttpClient { BaseAddress = new Uri(url) };
        }

        public string Url { get; }

        public static async Task<Server> StartAsync(string cli, string store, params string[] extra)
        {
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var arg in (string[])[cli, "server", "--port", port.ToString(CultureInfo.InvariantCulture), "--store", store, .. extra])
                {
                    start.ArgumentList.Add(arg);
                }

                var process = Process.Start(start)!;
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                var server = new Server(process, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
                for (var i = 0; i < 600; i++)
                {
                    try
                    {
                        using var health = await server._http.GetAsync("/health");
                        if (health.IsSuccessStatusCode)
                        {
                            return server;
                        }
                    }
                    catch (HttpRequestException)
                    {
                    }

                    await Task.Delay(100);
                }

                throw new TimeoutException("fathom server did not start in 60 s");
            }
        }

        public async Task<string> SubmitAsync(string project, string shell)
        {
            var content = $$$"""
                version: 1.1
                kind: component
                name: bench
                run: {kind: job, container: {image: busybox, command: [sh, -c, "{{{shell}}}"]}}
                """;
            using var body = new StringContent(JsonSerializer.Serialize(new { content, file_name = "bench.yml" }), Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync($"/api/v1/projects/{project}/runs", body);
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode
                ? JsonDocument.Parse(text).RootElement.GetProperty("run").GetProperty("uuid").GetString()!
                : throw new InvalidOperationException(text);
        }

        public async Task<int> CountAsync(string project, string status)
        {
            var count = 0;
            for (long? offset = 0; offset is not null;)
            {
                using var document = JsonDocument.Parse(await _http.GetStringAsync($"/api/v1/projects/{project}/runs?status={status}&limit=1000&offset={offset}"));
                count += document.RootElement.GetProperty("runs").GetArrayLength();
                offset = document.RootElement.TryGetProperty("next_offset", out var next) ? next.GetInt64() : null;
            }

            return count;
        }

        public async Task StopRunAsync(string uuid)
        {
            using var response = await _http.PostAsync($"/api/v1/runs/{uuid}/stop", null);
        }

        /// <summary>The server's resident set (VmRSS, KiB).</summary>
        public long RssKib() => long.Parse(
            File.ReadLines($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

        public async ValueTask DisposeAsync()
        {
            _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
            _http.Dispose();
        }
    }
}
