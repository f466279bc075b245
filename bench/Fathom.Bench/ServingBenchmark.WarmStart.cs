using System.Diagnostics;
using System.Text;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// Warm start of <c>fathom serve</c> as a process of its own (the Release build, or <c>--fathom</c>): the time from
/// starting it to its first scored answer on <c>/invocations</c>, then 32-review requests under wrk for the first
/// 15 s and for the 15 s after, and the first window's share of the second (target ≥ 80%).
/// </summary>
internal static partial class ServingBenchmark
{
    private static async Task WarmStartAsync(string[] args, string modelFolder, string body32Script, string firstReview)
    {
        var cli = Option(args, "--fathom") ?? DefaultCli();
        if (!File.Exists(cli))
        {
            Console.WriteLine($"warm start: {cli} not built (dotnet build -c Release src/Fathom.Cli, or --fathom); skipped");
            return;
        }

        var port = ServerProcessSupport.FreePort();
        var isDll = cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(isDll ? "dotnet" : cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[.. isDll ? [cli] : Array.Empty<string>(), "serve", "-m", modelFolder, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var body = System.Text.Json.JsonSerializer.Serialize(new { instances = new[] { firstReview } });
        var clock = Stopwatch.StartNew();
        using var server = Process.Start(start)!;
        try
        {
            _ = server.StandardOutput.ReadToEndAsync();
            _ = server.StandardError.ReadToEndAsync();
            while (true)
            {
                if (server.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"fathom serve gave no answer (exited: {server.HasExited})");
                }

                try
                {
                    using var response = await http.PostAsync("/invocations", new StringContent(body, Encoding.UTF8, "application/json"));
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(5);
            }

            var firstAnswer = clock.Elapsed;
            var url = $"http://127.0.0.1:{port}/invocations";
            var first = await Wrk(body32Script, url, 15);
            var after = await Wrk(body32Script, url, 15);
            Console.WriteLine($"warm start ({cli}): start to first answer {firstAnswer.TotalMilliseconds:N0} ms; 32-review requests, 16 connections: first 15 s {first.RequestsPerSecond * 32:N0} reviews/s, next 15 s {after.RequestsPerSecond * 32:N0} reviews/s = {first.RequestsPerSecond / after.RequestsPerSecond:P0} (load average {LoadAverage()})");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}
