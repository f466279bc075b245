using System.Text.Json;
using Fathom.Jobs;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom secret create|ls|rm</c> as a user runs them: values from files and env, encrypted at rest, never printed.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretCommandTests : IDisposable
{
    private const string Password = "pa55-w0rd-never-shown";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<CliResult> Fathom(params string[] args) =>
        FathomProcess.RunAsync(_dir.Path, new Dictionary<string, string> { ["MY_PASSWORD"] = Password }, TimeSpan.FromMinutes(2), args);

    [Fact]
    public async Task Secret_CreateListRemove_EncryptedAtRestAndNeverPrinted()
    {
        _dir.WriteFile("token.txt", "tok-123-secret");

        var created = await Fathom("secret", "create", "mlflow-credentials", "--from-env", "password=MY_PASSWORD", "--from-file", "token=token.txt");
        var listed = await Fathom("secret", "ls", "--json");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("Secret mlflow-credentials stored with keys password, token.", created.StdoutLines.Single());
        var secret = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("secrets").EnumerateArray().Single();
        Assert.Equal("mlflow-credentials", secret.GetProperty("name").GetString());
        Assert.Equal(["password", "token"], secret.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        foreach (var text in (string[])[created.Stdout, created.Stderr, listed.Stdout, listed.Stderr, .. Directory.EnumerateFiles(_dir.Combine(".fathom"), "*", SearchOption.AllDirectories).Select(File.ReadAllText)])
        {
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain("tok-123-secret", text, StringComparison.Ordinal);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.Combine(".fathom", "secrets.key")));
        var values = new SecretStore(_dir.Combine(".fathom"), _ => null).Read("mlflow-credentials");
        Assert.Equal((Password, "tok-123-secret"), (values["password"], values["token"]));

        var removed = await Fathom("secret", "rm", "mlflow-credentials");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Empty(JsonDocument.Parse((await Fathom("secret", "ls", "--json")).Stdout).RootElement.GetProperty("secrets").EnumerateArray());
    }

    [Fact]
    public async Task Secret_BadInput_OneClearLineAndTheRightExitCode()
    {
        var badName = await Fathom("secret", "create", "Bad_Name", "--from-env", "password=MY_PASSWORD");
        var unset = await Fathom("secret", "create", "ok", "--from-env", "password=NOT_SET_ANYWHERE");
        var missing = await Fathom("secret", "rm", "nothing-here");
        Assert.Equal(0, (await Fathom("secret", "create", "ok", "--from-env", "password=MY_PASSWORD")).ExitCode);
        File.SetUnixFileMode(_dir.Combine(".fathom", "secrets.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var readable = await Fathom("secret", "create", "other", "--from-env", "password=MY_PASSWORD");

        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("name: 'Bad_Name' is not a secret name", badName.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, unset.ExitCode);
        Assert.Contains("$NOT_SET_ANYWHERE is not set", unset.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("secret 'nothing-here' does not exist", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, readable.ExitCode);
        Assert.Contains("others can read it; refused", readable.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine(".fathom", "secrets", "other.secret")));
    }
}
