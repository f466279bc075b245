using System.Diagnostics;
using System.Globalization;

namespace Fathom.Bench;

/// <summary>What the benches that start <c>fathom server</c> as a process share: a free port, waiting for it, its CPU time.</summary>
internal static class ServerProcessSupport
{
    /// <summary>Polls <c>/health</c> every <paramref name="poll"/> until it answers, for at most 30 s; fails if the server exits.</summary>
    public static async Task WaitForHealthAsync(HttpClient http, Process server, TimeSpan poll)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"fathom server exited with {server.ExitCode}");
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

            await Task.Delay(poll);
        }

        throw new TimeoutException("fathom server did not become healthy within 30 s");
    }

    // utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks of 10 ms), after the command name.
    public static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
