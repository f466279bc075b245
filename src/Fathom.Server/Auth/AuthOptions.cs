using System.Globalization;

namespace Fathom.Auth;

/// <summary>
/// Basic-auth settings, read like MLflow's: an INI file named by <c>MLFLOW_AUTH_CONFIG_PATH</c> (section
/// <c>[mlflow]</c>: <c>default_permission</c>, <c>database_uri</c>, <c>admin_username</c>, <c>admin_password</c>),
/// overridden by <c>FATHOM_AUTH_DEFAULT_PERMISSION</c>, <c>FATHOM_ADMIN_USERNAME</c> and <c>FATHOM_ADMIN_PASSWORD</c>.
/// </summary>
internal sealed class AuthOptions
{
    public bool Enabled { get; init; }

    public required string DatabasePath { get; init; }

    public AccessLevel DefaultPermission { get; init; } = AccessLevel.Read;

    public string AdminUsername { get; init; } = "admin";

    public string? AdminPassword { get; init; }

    /// <summary>PBKDF2 iterations for new hashes; only tests lower it.</summary>
    public int HashIterations { get; init; } = 600_000;

    /// <param name="enabled">Whether <c>--auth</c> was given.</param>
    /// <param name="defaultDatabasePath">basic_auth.db beside the store, unless the INI file names another.</param>
    /// <param name="workingDirectory">What a relative <c>database_uri</c> is relative to (SQLAlchemy's: the current folder).</param>
    /// <param name="environment">Reads an environment variable (the process's by default).</param>
    public static AuthOptions FromEnvironment(bool enabled, string defaultDatabasePath, string? workingDirectory = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var ini = ReadIni(environment("MLFLOW_AUTH_CONFIG_PATH"));
        string? Setting(string env, string key) =>
            environment(env) is { Length: > 0 } value ? value : ini.GetValueOrDefault(key);
        var database = ini.GetValueOrDefault("database_uri");
        return new AuthOptions
        {
            Enabled = enabled,
            DatabasePath = database is null ? defaultDatabasePath : SqliteDatabase(database, workingDirectory ?? Directory.GetCurrentDirectory()),
            DefaultPermission = AccessLevel.Parse(Setting("FATHOM_AUTH_DEFAULT_PERMISSION", "default_permission") ?? "READ"),
            AdminUsername = Setting("FATHOM_ADMIN_USERNAME", "admin_username") ?? "admin",
            AdminPassword = Setting("FATHOM_ADMIN_PASSWORD", "admin_password"),
        };
    }

    /// <summary>
    /// Refuses to run without authentication anywhere but loopback: an open tracking server on a network
    /// address would let anyone read and overwrite every run.
    /// </summary>
    public void ValidateBinding(string host)
    {
        if (!Enabled && !IsLoopback(host))
        {
            throw new ArgumentException($"Authentication is off, so the server may only bind to loopback (127.0.0.1, ::1, localhost), not '{host}'. Pass --auth (and set FATHOM_ADMIN_PASSWORD) to serve on the network.");
        }

        if (Enabled && string.IsNullOrEmpty(AdminPassword))
        {
            throw new ArgumentException("Authentication is on but no admin password is set: set FATHOM_ADMIN_PASSWORD (at least 12 characters) or admin_password in the MLFLOW_AUTH_CONFIG_PATH file.");
        }
    }

    // MLflow's auth config names its database as a SQLAlchemy URI; read the way the tracking store's URI is read.
    private static string SqliteDatabase(string uri, string workingDirectory) =>
        uri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) && Tracking.StoreLocation.Parse(uri, workingDirectory).DatabasePath is { } path
            ? path
            : throw new ArgumentException($"MLFLOW_AUTH_CONFIG_PATH: database_uri '{uri}' must be a SQLite URI (sqlite:///relative.db or sqlite:////absolute.db); the users and grants live in SQLite.");

    public static bool IsLoopback(string host) =>
        host is "localhost" or "127.0.0.1" or "::1" or "[::1]" || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    private static Dictionary<string, string> ReadIni(string? path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(path))
        {
            return values;
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"MLFLOW_AUTH_CONFIG_PATH names '{path}', which does not exist.", path);
        }

        var inSection = false;
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                inSection = line == "[mlflow]";
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{path}:{lineNumber}: expected key = value, got '{line}'."));
            }

            if (inSection)
            {
                values[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }

        return values;
    }
}
