using Fathom.Auth;

namespace Fathom.Server.Tests;

public sealed class AuthOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fathom-auth-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private AuthOptions Read(string ini, Dictionary<string, string>? variables = null)
    {
        var path = Path.Combine(_folder, "auth.ini");
        File.WriteAllText(path, ini);
        var environment = new Dictionary<string, string>(variables ?? [], StringComparer.Ordinal) { ["MLFLOW_AUTH_CONFIG_PATH"] = path };
        return AuthOptions.FromEnvironment(true, Path.Combine(_folder, "default.db"), _folder, name => environment.GetValueOrDefault(name));
    }

    [Theory]
    [InlineData("sqlite:///basic_auth.db", "basic_auth.db")]
    [InlineData("sqlite:///sub/users.db", "sub/users.db")]
    public void DatabaseUri_RelativeSqlite_IsUnderTheWorkingFolder(string uri, string expected)
    {
        var options = Read($"[mlflow]\ndefault_permission = EDIT\ndatabase_uri = {uri}\nadmin_username = root\n");

        Assert.Equal(Path.Combine(_folder, expected), options.DatabasePath);
        Assert.Equal(AccessLevel.Edit, options.DefaultPermission);
        Assert.Equal("root", options.AdminUsername);
    }

    [Fact]
    public void DatabaseUri_AbsoluteSqlite_IsThatFile()
    {
        var options = Read($"[mlflow]\ndatabase_uri = sqlite:///{_folder}/abs.db\n");

        Assert.Equal(Path.Combine(_folder, "abs.db"), options.DatabasePath);
    }

    [Fact]
    public void DatabaseUri_NotSqlite_IsRefusedWithWhatIsAccepted()
    {
        var error = Assert.Throws<ArgumentException>(() => Read("[mlflow]\ndatabase_uri = postgresql://u:p@db/auth\n"));

        Assert.Contains("must be a SQLite URI", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvironmentVariables_WinOverTheIniFile()
    {
        var options = Read("[mlflow]\ndefault_permission = READ\nadmin_password = from-the-file-123\n", new() { ["FATHOM_AUTH_DEFAULT_PERMISSION"] = "NO_PERMISSIONS", ["FATHOM_ADMIN_PASSWORD"] = "from-the-env-1234" });

        Assert.Equal(AccessLevel.None, options.DefaultPermission);
        Assert.Equal("from-the-env-1234", options.AdminPassword);
        Assert.Equal(Path.Combine(_folder, "default.db"), options.DatabasePath);
    }
}
