using System.Diagnostics;

namespace Fathom.Testing;

/// <summary>
/// A real PostgreSQL server for tests, from Debian's packages: a throw-away cluster (initdb) on a free loopback
/// port, trust authentication, fsync off. As root it runs as the <c>postgres</c> user, which PostgreSQL requires.
/// Missing binaries skip the tests locally but fail them on CI (<c>CI=true</c>).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "fathom-pg", Guid.NewGuid().ToString("N"));
    private string? _bin;
    private int _databases;

    public int Port { get; private set; }

    public string? Unavailable { get; private set; }

    public async Task InitializeAsync()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).Order().LastOrDefault()
            : null;
        if (_bin is null)
        {
            Fail("PostgreSQL is not installed (apt-get install postgresql)");
            return;
        }

        Port = Loopback.FreePort();
        Directory.CreateDirectory(_data);
        if (IsRoot)
        {
            await RunAsync("chown", "-R", "postgres:postgres", Path.GetDirectoryName(_data)!);
        }

        await RunAsPostgresAsync("initdb", "-D", _data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8");
        await RunAsPostgresAsync("pg_ctl", "-D", _data, "-w", "-l", Path.Combine(_data, "server.log"), "-o",
            $"-p {Port} -k {_data} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start");
    }

    /// <summary>A fresh, empty database on the server, as a <c>postgresql://</c> URI.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"fathom_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40];
        await using var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return $"postgresql://postgres@127.0.0.1:{Port}/{name}";
    }

    public async Task DisposeAsync()
    {
        if (_bin is not null && Unavailable is null)
        {
            await RunAsPostgresAsync("pg_ctl", "-D", _data, "-m", "immediate", "stop");
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private void Fail(string reason)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            throw new InvalidOperationException($"PostgreSQL is required on CI: {reason}.");
        }

        Unavailable = reason;
    }

    private Task RunAsPostgresAsync(string tool, params string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin!, tool), .. args]) : RunAsync(Path.Combine(_bin!, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
