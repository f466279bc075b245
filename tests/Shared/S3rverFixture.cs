using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fathom.Testing;

/// <summary>
/// A real S3-compatible server for tests: <c>s3rver</c> from npm, installed on first use (pinned version) and
/// started on a free loopback port with a bucket named <see cref="Bucket"/>. Where node is missing the tests
/// skip locally, but fail on CI (<c>CI=true</c>) so they can never silently stop running.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Version = "3.7.1";
    public const string Bucket = "fathom";
    public const string AccessKey = "S3RVER"; // s3rver's fixed credentials

    /// <summary>
    /// What s3rver lacks of S3's multipart uploads: it has no AbortMultipartUpload (405), keeps parts by upload id alone,
    /// checks no part on completion and dies on one never sent. Tests of those refusals skip on it.
    /// </summary>
    public const string MultipartChecksMissing = "s3rver 3.7.1 implements no AbortMultipartUpload and no NoSuchUpload or InvalidPart checks";
    public const string SecretKey = "S3RVER";

    private readonly string _home = Path.Combine(Path.GetTempPath(), "fathom-s3rver-" + Version);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "fathom-s3rver-data", Guid.NewGuid().ToString("N"));
    private Process? _process;

    public string Endpoint { get; private set; } = "";

    /// <summary>Why the server is not available, or null when it runs.</summary>
    public string? Unavailable { get; private set; }

    public async Task InitializeAsync()
    {
        var script = Path.Combine(_home, "node_modules", "s3rver", "bin", "s3rver.js");
        try
        {
            if (!File.Exists(script))
            {
                await InstallAsync();
            }

            Directory.CreateDirectory(_data);
            var port = Loopback.FreePort();
            var start = new ProcessStartInfo("node", [script, "-d", _data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            _process = Process.Start(start)!;
            Endpoint = $"http://127.0.0.1:{port}";
            await WaitForPortAsync(port);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new InvalidOperationException($"s3rver is required on CI and could not start: {e.Message}", e);
            }

            Unavailable = $"s3rver unavailable here ({e.Message})";
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }

        _process?.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }

        return Task.CompletedTask;
    }

    // Test assemblies run in parallel processes, each with several fixtures: npm installs into a fresh folder that is
    // renamed into place, under a lock file, so that no fixture sees (or leaves behind) half an install.
    private async Task InstallAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_home)!);
        await using var gate = await LockAsync(_home + ".lock");
        if (File.Exists(Path.Combine(_home, "node_modules", "s3rver", "bin", "s3rver.js")))
        {
            return;
        }

        var staging = _home + ".staging-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        try
        {
            await RunAsync("npm", staging, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", staging, $"s3rver@{Version}");
            if (Directory.Exists(_home))
            {
                Directory.Delete(_home, recursive: true); // a broken install from before this lock existed
            }

            Directory.Move(staging, _home);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 3000)
            {
                await Task.Delay(100); // another process installs; npm takes well under the 5 minutes this allows
            }
        }
    }

    private static async Task RunAsync(string file, string directory, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await stderr}");
        }
    }

    private static async Task WaitForPortAsync(int port)
    {
        // Generous: on a loaded 2-core machine node takes several seconds to start s3rver.
        for (var i = 0; i < 600; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"s3rver did not listen on port {port} within 30 s.");
    }
}
