using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fathom.Bench;

/// <summary>
/// <c>services [--requests 5000] [--fathom fathom.dll]</c>: what the server's service proxy adds to a request. A
/// <c>fathom server</c> process runs a service (another <c>fathom server</c>, on the port the proxy chose for it); one
/// client sends <c>GET /health</c> one after the other, straight to the service and through
/// <c>/services/&lt;uuid&gt;/health</c>, in interleaved blocks after a warm-up; p50 and p99 of each and the difference
/// (target: under 2 ms at p50).
/// </summary>
internal static class ServiceProxyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var requests = int.Parse(BenchSupport.Option(args, "--requests") ?? "5000", CultureInfo.InvariantCulture);
        var cli = Path.GetFullPath(BenchSupport.Option(args, "--fathom") ?? BenchSupport.DefaultCli());
        if (!File.Exists(cli))
        {
            Console.Error.WriteLine($"{cli} not found: build the CLI (dotnet build src/Fathom.Cli -c Release) or pass --fathom PATH/fathom.dll.");
            return 2;
        }

        var folder = Path.Combine(Path.GetTempPath(), "fathom-bench-services-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = ServerProcessSupport.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[cli, "server", "--port", port.ToString(CultureInfo.InvariantCulture), "--store", Path.Combine(folder, "store")])
        {
            start.ArgumentList.Add(arg);
        }

        using var server = Process.Start(start)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
        string? uuid = null;
        try
        {
            await ServerProcessSupport.WaitForHealthAsync(http, server, TimeSpan.FromMilliseconds(100));
            var content = $$$"""
                version: 1.1
                kind: component
                name: health
                run:
                  kind: service
                  ports: [5000]
                  rewritePath: true
                  container: {image: fathom, command: [dotnet, "{{{cli}}}", server, --port, "{{ globals.ports[0] }}", --store, "{{{Path.Combine(folder, "service-store")}}}"]}
                """;
            using (var body = new StringContent(JsonSerializer.Serialize(new { content, file_name = "health.yml" }), Encoding.UTF8, "application/json"))
            using (var submitted = await http.PostAsync("/api/v1/projects/bench/runs", body))
            {
                uuid = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("run").GetProperty("uuid").GetString()!;
            }

            var proxied = $"/services/{uuid}/health";
            var clock = Stopwatch.StartNew();
            while (!await OkAsync(http, proxied))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    Console.Error.WriteLine("the service never answered through the proxy");
                    return 1;
                }

                await Task.Delay(100);
            }

            var endpoint = Directory.EnumerateFiles(folder, "service.json", SearchOption.AllDirectories).Single();
            var servicePort = JsonDocument.Parse(File.ReadAllText(endpoint)).RootElement.GetProperty("ports")[0].GetInt32();
            using var direct = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{servicePort.ToString(CultureInfo.InvariantCulture)}") };
            Console.WriteLine($"services: {requests} GET /health each way, one client, keep-alive; {cli}; load average {BenchSupport.LoadAverage()}");

            // Warm-up (JIT of both servers and of this client), then blocks of 100 alternating so drift hits both alike.
            for (var i = 0; i < 2000; i++)
            {
                await TimeAsync(direct, "/health");
                await TimeAsync(http, proxied);
            }

            var straight = new List<double>(requests);
            var through = new List<double>(requests);
            for (var done = 0; done < requests; done += 100)
            {
                for (var i = 0; i < 100; i++)
                {
                    straight.Add(await TimeAsync(direct, "/health"));
                }

                for (var i = 0; i < 100; i++)
                {
                    through.Add(await TimeAsync(http, proxied));
                }
            }

            var (p50d, p99d) = (Percentile(straight, 0.50), Percentile(straight, 0.99));
            var (p50p, p99p) = (Percentile(through, 0.50), Percentile(through, 0.99));
            Console.WriteLine($"  direct:  p50 {p50d:F3} ms, p99 {p99d:F3} ms");
            Console.WriteLine($"  proxied: p50 {p50p:F3} ms, p99 {p99p:F3} ms");
            Console.WriteLine($"  added by the proxy: p50 {p50p - p50d:F3} ms, p99 {p99p - p99d:F3} ms (target < 2 ms at p50: {(p50p - p50d < 2 ? "met" : "MISSED")})");
            return 0;
        }
        finally
        {
            if (uuid is not null)
            {
                using var stop = await http.PostAsync($"/api/v1/runs/{uuid}/stop", new StringContent("{}", Encoding.UTF8, "application/json"));
                for (var i = 0; i < 100 && !(await http.GetStringAsync($"/api/v1/runs/{uuid}")).Contains("\"stopped\"", StringComparison.Ordinal); i++)
                {
                    await Task.Delay(100);
                }
            }

            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<bool> OkAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.IsSuccessStatusCode;
    }

    private static async Task<double> TimeAsync(HttpClient http, string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path);
        await response.Content.ReadAsByteArrayAsync();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
    }
}
