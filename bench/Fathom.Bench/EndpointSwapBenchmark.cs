using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// A model swap under full load, as a user runs it: <c>fathom train</c> on the sample, <c>fathom server</c> as a process,
/// two registered versions, an endpoint on <c>@champion</c>, then <c>--connections</c> clients scoring 1-review requests
/// without pause while the alias is moved to version 2 and rolled back. Reported: requests, failures and latency
/// percentiles in the steady state before the move and in each swap's window (from the alias move until 2 s after the
/// last answer of the outgoing version).
/// <c>dotnet run -c Release --project bench/Fathom.Bench -- endpoint-swap [--fathom PATH/fathom.dll] [--connections 16] [--seconds 10] [--replicas 1]</c>
/// </summary>
internal static class EndpointSwapBenchmark
{
    private const string Body = """{"instances": ["A wonderful, moving film. Brilliant performances and a great story; I loved it."]}""";

    public static async Task<int> RunAsync(string[] args)
    {
        var fathom = Path.GetFullPath(Option(args, "--fathom") ?? DefaultCli());
        var connections = int.Parse(Option(args, "--connections") ?? "16", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        var replicas = Option(args, "--replicas") ?? "1";
        var project = Directory.CreateTempSubdirectory("fathom-bench-swap").FullName;
        var port = ServerProcessSupport.FreePort();
        var uri = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var env = new Dictionary<string, string> { ["FATHOM_TRACKING_URI"] = uri };
        Console.WriteLine($"fathom: {fathom}; machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        var train = await RunFathomAsync(fathom, project, [], "train", "--data", Path.Combine(RepositoryRoot(), "samples", "imdb"), "--experiment", "bench");
        var runId = train.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        using var server = Start(fathom, project, [], "server", "--store", Path.Combine(project, ".fathom"), "--port", port.ToString(CultureInfo.InvariantCulture));
        try
        {
            using (var health = new HttpClient { BaseAddress = new Uri(uri) })
            {
                await ServerProcessSupport.WaitForHealthAsync(health, server, TimeSpan.FromMilliseconds(100));
            }

            await RunFathomAsync(fathom, project, env, "models", "register", runId, "model", "--name", "bench");
            await RunFathomAsync(fathom, project, env, "models", "register", runId, "model", "--name", "bench");
            await RunFathomAsync(fathom, project, env, "models", "alias", "bench", "champion", "1");
            var clock = Stopwatch.StartNew();
            var created = await RunFathomAsync(fathom, project, env, "endpoints", "create", "bench", "--model", "models:/bench@champion", "--replicas", replicas, "--json");
            Console.WriteLine($"endpoints create (replicas started, answering and warmed): {clock.Elapsed.TotalSeconds:0.0} s");
            var url = JsonDocument.Parse(created).RootElement.GetProperty("url").GetString()!;

            var samples = new ConcurrentQueue<(double At, double Ms, long Version, bool Failed)>();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { Timeout = TimeSpan.FromSeconds(30) };
            using var stop = new CancellationTokenSource();
            var time = Stopwatch.StartNew();
            var load = Enumerable.Range(0, connections).Select(_ => Task.Run(() => LoadAsync(http, url, time, samples, stop.Token))).ToList();

            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var promoteAt = time.Elapsed.TotalSeconds;
            await RunFathomAsync(fathom, project, env, "models", "alias", "bench", "champion", "2");
            var promoted = await WaitForAsync(samples, 2, time);
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var rollbackAt = time.Elapsed.TotalSeconds;
            await RunFathomAsync(fathom, project, env, "models", "rollback", "bench", "champion");
            var rolledBack = await WaitForAsync(samples, 1, time);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await stop.CancelAsync();
            await Task.WhenAll(load);

            var all = samples.ToList();
            double LastOf(long version, double from, double to) => all.Where(s => !s.Failed && s.Version == version && s.At >= from && s.At < to).Select(s => s.At).DefaultIfEmpty(from).Max();
            var firstSwapEnd = LastOf(1, promoteAt, rollbackAt) + 2;
            var secondSwapEnd = LastOf(2, rollbackAt, double.MaxValue) + 2;
            Console.WriteLine($"{connections} connections, 1-review requests on /invocations; switch seen {promoted - promoteAt:0.0} s after the alias move, {rolledBack - rollbackAt:0.0} s after the rollback");
            Console.WriteLine("window                         requests  failed   req/s   p50 ms   p99 ms   max ms");
            Report("steady state (before the move)", all.Where(s => s.At >= 2 && s.At < promoteAt).ToList(), promoteAt - 2);
            Report("swap to v2", all.Where(s => s.At >= promoteAt && s.At < firstSwapEnd).ToList(), firstSwapEnd - promoteAt);
            Report("steady state (v2)", all.Where(s => s.At >= firstSwapEnd && s.At < rollbackAt).ToList(), rollbackAt - firstSwapEnd);
            Report("swap back to v1 (rollback)", all.Where(s => s.At >= rollbackAt && s.At < secondSwapEnd).ToList(), secondSwapEnd - rollbackAt);
            Console.WriteLine($"failed requests in all: {all.Count(s => s.Failed)} of {all.Count}");
            return all.Any(s => s.Failed) ? 1 : 0;
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await server.WaitForExitAsync();
            Directory.Delete(project, recursive: true);
        }
    }

    private static async Task LoadAsync(HttpClient http, string url, Stopwatch time, ConcurrentQueue<(double, double, long, bool)> samples, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var start = time.Elapsed;
            long version = 0;
            var failed = true;
            try
            {
                using var content = new StringContent(Body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(url + "invocations", content, CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                failed = !response.IsSuccessStatusCode;
                version = response.Headers.TryGetValues("X-Fathom-Model-Version", out var values) ? long.Parse(values.Single(), CultureInfo.InvariantCulture) : 0;
            }
            catch (HttpRequestException)
            {
            }

            samples.Enqueue((start.TotalSeconds, (time.Elapsed - start).TotalMilliseconds, version, failed));
        }
    }

    private static async Task<double> WaitForAsync(ConcurrentQueue<(double At, double Ms, long Version, bool Failed)> samples, long version, Stopwatch time)
    {
        while (samples.TakeLast(64).Count(s => s.Version == version) < 64)
        {
            await Task.Delay(20);
        }

        return time.Elapsed.TotalSeconds;
    }

    private static void Report(string window, List<(double At, double Ms, long Version, bool Failed)> samples, double seconds)
    {
        var ms = samples.Where(s => !s.Failed).Select(s => s.Ms).Order().ToList();
        double P(double q) => ms.Count == 0 ? double.NaN : ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{window,-30} {samples.Count,8} {samples.Count(s => s.Failed),7} {samples.Count / Math.Max(seconds, 0.001),7:0} {P(0.5),8:0.00} {P(0.99),8:0.00} {(ms.Count == 0 ? double.NaN : ms[^1]),8:0.00}"));
    }

    private static Process Start(string fathom, string workingDirectory, Dictionary<string, string> env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(fathom);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static async Task<string> RunFathomAsync(string fathom, string workingDirectory, Dictionary<string, string> env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(fathom);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"fathom {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
    }
}
