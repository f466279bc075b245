using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fathom.Endpoints;

/// <summary>
/// One <c>fathom serve</c> process of one model version on a loopback port, its output appended to a log file. The
/// router counts the requests it holds, so a drain can wait for them before the process is asked to stop.
/// </summary>
internal sealed class Replica : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private int _inFlight;
    private bool _logClosed;

    private Replica(Process process, StreamWriter log, long version, int port, string logPath)
    {
        _process = process;
        _log = log;
        Version = version;
        Port = port;
        LogPath = logPath;
        BaseUri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public long Version { get; }

    public int Port { get; }

    public Uri BaseUri { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>False once a request could not reach it; the router then leaves it out.</summary>
    public bool Healthy { get; set; } = true;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Starts <c>fathom serve</c> of <paramref name="modelFolder"/> on a free loopback port.</summary>
    public static Replica Start(IReadOnlyList<string> fathom, string modelFolder, long version, string logPath)
    {
        ArgumentNullException.ThrowIfNull(fathom);
        var port = FreePort();
        var start = new ProcessStartInfo(fathom[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in fathom.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in (string[])["serve", "--model", modelFolder, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fathom[0]}.");
        var replica = new Replica(process, log, version, port, logPath);
        process.OutputDataReceived += (_, e) => replica.Append(e.Data);
        process.ErrorDataReceived += (_, e) => replica.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return replica;
    }

    /// <summary>Waits until <c>/ping</c> answers; fails with the replica's log when it exits or the time runs out.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Replica of version {Version} exited with code {_process.ExitCode} before answering /ping: {Tail()}");
            }

            try
            {
                using var ping = await http.GetAsync(new Uri(BaseUri, "ping"), cancellationToken);
                if (ping.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"Replica of version {Version} did not answer /ping within {timeout.TotalSeconds:0} s: {Tail()}");
    }

    /// <summary>
    /// Stops the process once the requests it holds are answered (or <paramref name="drain"/> has passed): SIGTERM, which
    /// <c>fathom serve</c> answers with a graceful shutdown, then a kill if it is still there 10 s later.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        var waited = Stopwatch.StartNew();
        while (InFlight > 0 && waited.Elapsed < drain)
        {
            await Task.Delay(20);
        }

        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        // Output read after the replica is disposed is dropped: a write to the closed log would throw on the reading thread.
        lock (_log)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private string Tail()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd().Trim();
            return text.Length > 2000 ? text[^2000..] : text;
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    // The port is released before the replica binds it; another process taking it in between makes the replica exit,
    // which the start-up wait reports.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
