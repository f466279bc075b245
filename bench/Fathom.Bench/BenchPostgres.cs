using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fathom.Bench;

/// <summary>
/// A throw-away PostgreSQL cluster for the tracking-server bench (Debian's binaries: initdb, pg_ctl), deleted on
/// dispose. Unlike the test fixture it keeps PostgreSQL's durable defaults (fsync and synchronous_commit on): the
/// bench measures acknowledged, crash-safe writes.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string _data;
    private readonly string _bin;

    private BenchPostgres(string bin, string data, int port)
    {
        _bin = bin;
        _data = data;
        Uri = $"postgresql://postgres@127.0.0.1:{port}/postgres";
    }

    /// <summary>The cluster's <c>postgres</c> database.</summary>
    public string Uri { get; }

    public static async Task<BenchPostgres> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql); or pass --store postgresql://… for a running server.");
        }

        var root = Path.Combine(Path.GetTempPath(), "fathom-bench-pg");
        var data = Path.Combine(root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var postgres = new BenchPostgres(bin, data, port);
        if (IsRoot)
        {
            await RunAsync("chown", "-R", "postgres:postgres", root);
        }

        await postgres.RunAsPostgresAsync("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8");
        await postgres.RunAsPostgresAsync("pg_ctl", "-D", data, "-w", "-l", Path.Combine(data, "server.log"), "-o",
            $"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start");
        return postgres;
    }

    /// <summary>
    /// CPU time the cluster has used so far: the postmaster, its live children (backends, WAL writer,
    /// checkpointer) and the children it has reaped, from <c>/proc</c>. On a shared machine wall time also counts
    /// other processes; this does not, so it is the server's side of a points-per-CPU-second figure.
    /// </summary>
    public TimeSpan CpuTime()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(_data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var ticks = StatTicks(postmaster, withReapedChildren: true);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{postmaster}/task"))
        {
            foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                ticks += StatTicks(int.Parse(child, CultureInfo.InvariantCulture), withReapedChildren: false);
            }
        }

        return TimeSpan.FromMilliseconds(ticks * 10.0);
    }

    // utime and stime (and cutime, cstime) of /proc/<pid>/stat, in clock ticks of 10 ms, after the command name;
    // a child that exits between the listing and the read counts nothing here and its time shows in cutime later.
    private static long StatTicks(int pid, bool withReapedChildren)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return 0;
        }

        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var last = withReapedChildren ? 14 : 12;
        return Enumerable.Range(11, last - 10).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsPostgresAsync("pg_ctl", "-D", _data, "-m", "immediate", "stop");
        Npgsql.NpgsqlConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    // PostgreSQL refuses to run as root, so the tools run as the postgres user then.
    private Task RunAsPostgresAsync(string tool, params string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
