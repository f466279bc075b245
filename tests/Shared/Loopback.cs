using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fathom.Testing;

/// <summary>Loopback helpers for tests that start servers: a free port, and waiting for a server's /health.</summary>
internal static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <c>/health</c> until it answers 200; fails the test if the process exits or time runs out.</summary>
    public static async Task WaitForHealthAsync(HttpClient http, Process server, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (server.HasExited)
            {
                Assert.Fail($"server exited early with {server.ExitCode}");
            }

            try
            {
                using var response = await http.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        Assert.Fail($"server did not become healthy in {timeout.TotalSeconds:0} s");
    }
}
