using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fathom.Bench;

/// <summary>
/// <c>s3rver</c> from npm on a free loopback port for the data bench's <c>--s3</c> runs, in the same place and version
/// the test fixture installs it (so a machine that ran the tests needs no download); its data is deleted on dispose.
/// </summary>
internal sealed class BenchS3rver : IAsyncDisposable
{
    public const string Version = "3.7.1";
    public const string Bucket = "fathom";
    public const string Credential = "S3RVER"; // s3rver's fixed access key and secret

    private readonly Process _process;
    private readonly string _data;

    private BenchS3rver(Process process, string data, string endpoint)
    {
        _process = process;
        _data = data;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public static async Task<BenchS3rver> StartAsync()
    {
        var home = Path.Combine(Path.GetTempPath(), "fathom-s3rver-" + Version);
        var script = Path.Combine(home, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            Directory.CreateDirectory(home);
            using var npm = Process.Start(new ProcessStartInfo("npm", ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", home, $"s3rver@{Version}"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stderr = npm.StandardError.ReadToEndAsync();
            await npm.StandardOutput.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm install s3rver@{Version} failed: {await stderr}");
            }
        }

        var data = Path.Combine(Path.GetTempPath(), "fathom-bench-s3rver", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var process = Process.Start(new ProcessStartInfo("node", [script, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var server = new BenchS3rver(process, data, $"http://127.0.0.1:{port}");
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await server.DisposeAsync();
        throw new TimeoutException($"s3rver did not listen on port {port} within 10 s.");
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }
}
