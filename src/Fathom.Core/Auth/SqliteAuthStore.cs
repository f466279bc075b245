using Fathom.Tracking;
using Microsoft.Data.Sqlite;

namespace Fathom.Auth;

/// <summary>
/// The auth database in its own SQLite file, as MLflow keeps <c>basic_auth.db</c> apart from the tracking store.
/// The tables have MLflow's names and columns, so an MLflow basic-auth database opens as it is.
/// </summary>
internal sealed class SqliteAuthStore : IAuthStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username VARCHAR(255) NOT NULL UNIQUE,
            password_hash VARCHAR(255) NOT NULL,
            is_admin BOOLEAN NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS experiment_permissions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            experiment_id VARCHAR(255) NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            permission VARCHAR(255) NOT NULL,
            UNIQUE (experiment_id, user_id));
        CREATE TABLE IF NOT EXISTS registered_model_permissions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name VARCHAR(255) NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            permission VARCHAR(255) NOT NULL,
            UNIQUE (name, user_id));
        CREATE TABLE IF NOT EXISTS job_project_permissions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            project VARCHAR(255) NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            permission VARCHAR(255) NOT NULL,
            UNIQUE (project, user_id));
        """;

    private readonly string _connectionString;
    private readonly int _iterations;

    // What an unknown user's password is checked against: the same work as a real user's check, so the time a
    // sign-in takes does not tell whether the name exists.
    private readonly Lazy<string> _unknownUserHash;

    private SqliteAuthStore(string connectionString, int iterations)
    {
        _connectionString = connectionString;
        _iterations = iterations;
        _unknownUserHash = new(() => PasswordHasher.Hash(Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)), iterations));
    }

    /// <summary>Opens (creating if needed) the auth database; <paramref name="iterations"/> is lowered only by tests.</summary>
    public static SqliteAuthStore Open(string path, int iterations = PasswordHasher.Iterations)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var store = new SqliteAuthStore(new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 30 }.ToString(), iterations);
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;" + Schema;
        command.ExecuteNonQuery();
        return store;
    }

    public async Task<AuthUser> CreateUserAsync(string username, string password, bool isAdmin, CancellationToken cancellationToken)
    {
        ValidateCredentials(username, password);
        await using var connection = Open();
        try
        {
            var id = (long)(await ScalarAsync(connection, "INSERT INTO users (username, password_hash, is_admin) VALUES ($u, $h, $a) RETURNING id;", cancellationToken,
                ("$u", username), ("$h", PasswordHasher.Hash(password, _iterations)), ("$a", isAdmin)))!;
            return new AuthUser(id, username, isAdmin);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new TrackingException(ErrorCode.ResourceAlreadyExists, $"User '{username}' already exists.");
        }
    }

    public async Task<AuthUser?> GetUserAsync(string username, CancellationToken cancellationToken) =>
        (await ReadUserAsync(username, cancellationToken))?.User;

    public async Task<AuthUser?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken)
    {
        var found = await ReadUserAsync(username, cancellationToken);
        var matches = PasswordHasher.Verify(password, found?.Hash ?? _unknownUserHash.Value);
        return found is not null && matches ? found.Value.User : null;
    }

    public async Task UpdatePasswordAsync(string username, string password, CancellationToken cancellationToken)
    {
        ValidateCredentials(username, password);
        await RequireChangedAsync("UPDATE users SET password_hash = $h WHERE username = $u;", username, cancellationToken, ("$u", username), ("$h", PasswordHasher.Hash(password, _iterations)));
    }

    public Task UpdateAdminAsync(string username, bool isAdmin, CancellationToken cancellationToken) =>
        RequireChangedAsync("UPDATE users SET is_admin = $a WHERE username = $u;", username, cancellationToken, ("$u", username), ("$a", isAdmin));

    public Task DeleteUserAsync(string username, CancellationToken cancellationToken) =>
        RequireChangedAsync("DELETE FROM users WHERE username = $u;", username, cancellationToken, ("$u", username));

    public async Task<ExperimentGrant> CreateExperimentPermissionAsync(string experimentId, string username, AccessLevel permission, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await InsertPermissionAsync("experiment_permissions", "experiment_id", experimentId, user, permission,
            $"Experiment permission (experiment_id={experimentId}, username={username}) already exists.", cancellationToken);
        return new ExperimentGrant(experimentId, user.Id, permission);
    }

    public async Task<ExperimentGrant?> GetExperimentPermissionAsync(string experimentId, string username, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        var name = await ReadPermissionAsync("experiment_permissions", "experiment_id", experimentId, user.Id, cancellationToken);
        return name is null ? null : new ExperimentGrant(experimentId, user.Id, AccessLevel.Parse(name));
    }

    public async Task UpdateExperimentPermissionAsync(string experimentId, string username, AccessLevel permission, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await ChangePermissionAsync("UPDATE experiment_permissions SET permission = $p WHERE experiment_id = $r AND user_id = $id;", experimentId, user, permission,
            $"Experiment permission with experiment_id={experimentId} and username={username} not found", cancellationToken);
    }

    public async Task DeleteExperimentPermissionAsync(string experimentId, string username, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await ChangePermissionAsync("DELETE FROM experiment_permissions WHERE experiment_id = $r AND user_id = $id AND $p = $p;", experimentId, user, AccessLevel.None,
            $"Experiment permission with experiment_id={experimentId} and username={username} not found", cancellationToken);
    }

    public async Task<RegisteredModelGrant> CreateRegisteredModelPermissionAsync(string name, string username, AccessLevel permission, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await InsertPermissionAsync("registered_model_permissions", "name", name, user, permission,
            $"Registered model permission (name={name}, username={username}) already exists.", cancellationToken);
        return new RegisteredModelGrant(name, user.Id, permission);
    }

    public async Task<RegisteredModelGrant?> GetRegisteredModelPermissionAsync(string name, string username, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        var permission = await ReadPermissionAsync("registered_model_permissions", "name", name, user.Id, cancellationToken);
        return permission is null ? null : new RegisteredModelGrant(name, user.Id, AccessLevel.Parse(permission));
    }

    public async Task UpdateRegisteredModelPermissionAsync(string name, string username, AccessLevel permission, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await ChangePermissionAsync("UPDATE registered_model_permissions SET permission = $p WHERE name = $r AND user_id = $id;", name, user, permission,
            $"Registered model permission with name={name} and username={username} not found", cancellationToken);
    }

    public async Task DeleteRegisteredModelPermissionAsync(string name, string username, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await ChangePermissionAsync("DELETE FROM registered_model_permissions WHERE name = $r AND user_id = $id AND $p = $p;", name, user, AccessLevel.None,
            $"Registered model permission with name={name} and username={username} not found", cancellationToken);
    }

    public async Task CreateProjectPermissionAsync(string project, string username, AccessLevel permission, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await InsertPermissionAsync("job_project_permissions", "project", project, user, permission,
            $"Project permission (project={project}, username={username}) already exists.", cancellationToken);
    }

    public async Task<AccessLevel?> GetProjectPermissionAsync(string project, string username, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        var permission = await ReadPermissionAsync("job_project_permissions", "project", project, user.Id, cancellationToken);
        return permission is null ? null : AccessLevel.Parse(permission);
    }

    public async Task UpdateProjectPermissionAsync(string project, string username, AccessLevel permission, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await ChangePermissionAsync("UPDATE job_project_permissions SET permission = $p WHERE project = $r AND user_id = $id;", project, user, permission,
            $"Project permission with project={project} and username={username} not found", cancellationToken);
    }

    public async Task DeleteProjectPermissionAsync(string project, string username, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(username, cancellationToken);
        await ChangePermissionAsync("DELETE FROM job_project_permissions WHERE project = $r AND user_id = $id AND $p = $p;", project, user, AccessLevel.None,
            $"Project permission with project={project} and username={username} not found", cancellationToken);
    }

    public async Task RenameRegisteredModelPermissionsAsync(string oldName, string newName, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await ExecuteAsync(connection, "UPDATE registered_model_permissions SET name = $n WHERE name = $o;", cancellationToken, ("$n", newName), ("$o", oldName));
    }

    public async Task<IReadOnlyList<ExperimentGrant>> ListExperimentPermissionsAsync(long userId, CancellationToken cancellationToken)
    {
        var rows = await ListPermissionsAsync("SELECT experiment_id, permission FROM experiment_permissions WHERE user_id = $id ORDER BY experiment_id;", userId, cancellationToken);
        return rows.Select(r => new ExperimentGrant(r.Resource, userId, AccessLevel.Parse(r.AccessLevel))).ToList();
    }

    public async Task<IReadOnlyList<RegisteredModelGrant>> ListRegisteredModelPermissionsAsync(long userId, CancellationToken cancellationToken)
    {
        var rows = await ListPermissionsAsync("SELECT name, permission FROM registered_model_permissions WHERE user_id = $id ORDER BY name;", userId, cancellationToken);
        return rows.Select(r => new RegisteredModelGrant(r.Resource, userId, AccessLevel.Parse(r.AccessLevel))).ToList();
    }

    // MLflow 2.22+ requires passwords of at least 12 characters.
    private static void ValidateCredentials(string username, string password)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            throw new TrackingException(ErrorCode.InvalidParameterValue, "Username cannot be empty.");
        }

        if (password is null || password.Length < 12)
        {
            throw new TrackingException(ErrorCode.InvalidParameterValue, "Password must be a string longer than 12 characters.");
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys=ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private async Task<(AuthUser User, string Hash)?> ReadUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, username, is_admin, password_hash FROM users WHERE username = $u;";
        command.Parameters.AddWithValue("$u", username);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (new AuthUser(reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2)), reader.GetString(3))
            : null;
    }

    private async Task<AuthUser> RequireUserAsync(string username, CancellationToken cancellationToken) =>
        await GetUserAsync(username, cancellationToken)
        ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"User with username={username} not found");

    private async Task RequireChangedAsync(string sql, string username, CancellationToken cancellationToken, params (string, object)[] parameters)
    {
        await using var connection = Open();
        if (await ExecuteAsync(connection, sql, cancellationToken, parameters) == 0)
        {
            throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"User with username={username} not found");
        }
    }

    private async Task InsertPermissionAsync(string table, string column, string resource, AuthUser user, AccessLevel permission, string duplicate, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        try
        {
            await ExecuteAsync(connection, $"INSERT INTO {table} ({column}, user_id, permission) VALUES ($r, $id, $p);", cancellationToken,
                ("$r", resource), ("$id", user.Id), ("$p", permission.Name));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new TrackingException(ErrorCode.ResourceAlreadyExists, duplicate);
        }
    }

    private async Task<string?> ReadPermissionAsync(string table, string column, string resource, long userId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        return await ScalarAsync(connection, $"SELECT permission FROM {table} WHERE {column} = $r AND user_id = $id;", cancellationToken, ("$r", resource), ("$id", userId)) as string;
    }

    private async Task ChangePermissionAsync(string sql, string resource, AuthUser user, AccessLevel permission, string missing, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        if (await ExecuteAsync(connection, sql, cancellationToken, ("$r", resource), ("$id", user.Id), ("$p", permission.Name)) == 0)
        {
            throw new TrackingException(ErrorCode.ResourceDoesNotExist, missing);
        }
    }

    private async Task<List<(string Resource, string AccessLevel)>> ListPermissionsAsync(string sql, long userId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", userId);
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
