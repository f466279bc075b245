using System.Globalization;
using System.Text.Json;
using Fathom.Cli.Commands;
using Fathom.Tracking;

namespace Fathom.Cli.Tests;

/// <summary>
/// Where runs go is decided once: every command of the CLI, <c>fathom server</c> and the SDK's
/// <see cref="TrackingClient.Open(string?, TimeProvider?)"/> pick the same store for the same flag and environment.
/// </summary>
[Collection(ProcessEnvironmentGroup.Name)]
public sealed class StoreResolutionTests : IDisposable
{
    private static readonly string[] Variables =
        [StoreLocation.TrackingUriVariable, StoreLocation.MlflowTrackingUriVariable, StoreLocation.StoreVariable, StoreLocation.ArtifactsVariable];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // The flag, and the environment as NAME=value; … (the working folder is <temp>/project/src).
    public static TheoryData<string?, string> Combinations => new()
    {
        { null, "" },
        { null, "FATHOM_STORE=shared" },
        { null, "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=sqlite:///mlflow.db" },
        { null, "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=http://127.0.0.1:9" },
        { null, "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=http://127.0.0.1:9; FATHOM_TRACKING_URI=sqlite:///../elsewhere/x.db" },
        { null, "FATHOM_TRACKING_URI=postgresql://u:secret@127.0.0.1:9/runs; FATHOM_ARTIFACTS=s3://bucket/runs" },
        { "runs", "FATHOM_STORE=shared; FATHOM_TRACKING_URI=sqlite:///x.db" },
        { "sqlite:///db/t.db", "FATHOM_TRACKING_URI=http://127.0.0.1:9" },
        { "postgres-runs", "" },
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task CliServerAndSdk_SameFlagAndEnvironment_PickTheSameStore(string? flag, string environment)
    {
        var cwd = Directory.CreateDirectory(_dir.Combine("project", "src")).FullName;
        var variables = Parse(environment);
        var host = new CliHost(variables.GetValueOrDefault, () => cwd);
        string[] store = flag is null ? [] : ["--store", flag];
        var expected = StoreLocation.Resolve(flag, cwd, variables.GetValueOrDefault);

        var cli = new CliContext(FathomCli.Build(host).Parse(["runs", "list", .. store])).Location;
        var serverParse = FathomCli.Build(host).Parse(["server", "--port", "0", .. store]);
        var server = ServerCommand.BuildOptions(serverParse, new CliContext(serverParse));
        var sdk = await OpenWithSdkAsync(flag, cwd, variables);

        Assert.Equal(expected, cli);
        Assert.Equal(expected, server.Store);
        Assert.Equal(expected.ToString(), sdk);
        if (expected.IsRemote)
        {
            // The same answer, and the server says it cannot serve another server, naming where the value came from.
            var error = Assert.Throws<ArgumentException>(server.Validate);
            Assert.Contains(expected.Source == StoreSource.Argument ? "--store" : "MLFLOW_TRACKING_URI", error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(Path.Combine(expected.LocalFolder, "basic_auth.db"), server.Auth!.DatabasePath);
        }
    }

    [Fact]
    public async Task Server_FathomTrackingUriSqlite_ServesThatFileLikeTheCli()
    {
        // The review's example: the server wrote to ./.fathom while `runs list` read elsewhere/x.db.
        var environment = new Dictionary<string, string> { [StoreLocation.TrackingUriVariable] = "sqlite:///elsewhere/x.db" };

        var experiment = await CreateExperimentThroughServerAsync(environment);
        var list = await FathomProcess.RunAsync(_dir.Path, environment, TimeSpan.FromMinutes(2), "experiments", "list", "--json");

        Assert.True(File.Exists(_dir.Combine("elsewhere", "x.db")), "the server did not write to FATHOM_TRACKING_URI's file");
        Assert.False(Directory.Exists(_dir.Combine(".fathom")), "the server wrote to the project folder");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(experiment, JsonDocument.Parse(list.Stdout).RootElement.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Server_StoreFolderNamedLikeAScheme_ServesThatFolder()
    {
        await CreateExperimentThroughServerAsync(new Dictionary<string, string>(), "--store", "postgres-runs");

        Assert.True(File.Exists(_dir.Combine("postgres-runs", "fathom.db")));
    }

    [Fact]
    public async Task Server_MlflowTrackingUriNamesAServer_RefusesToStartAndSaysWhy()
    {
        var environment = new Dictionary<string, string> { [StoreLocation.MlflowTrackingUriVariable] = "http://127.0.0.1:5000" };

        var result = await FathomProcess.RunAsync(_dir.Path, environment, TimeSpan.FromMinutes(2), "server", "--port", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(
            "error: The store is the tracking server http://127.0.0.1:5000 (from MLFLOW_TRACKING_URI), which a tracking server cannot serve",
            result.Stderr.Trim(), StringComparison.Ordinal);
    }

    // Starts `fathom server` in the temp folder, creates an experiment over MLflow's API, stops it; returns the name.
    private async Task<string> CreateExperimentThroughServerAsync(Dictionary<string, string> environment, params string[] args)
    {
        var port = Loopback.FreePort();
        using var server = FathomProcess.Start(_dir.Path, environment, ["server", "--port", port.ToString(CultureInfo.InvariantCulture), .. args]);
        var stderr = server.StandardError.ReadToEndAsync();
        _ = server.StandardOutput.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await Loopback.WaitForHealthAsync(http, server, TimeSpan.FromSeconds(30));
            await ServerProcessSteps.PostAsync(http, "experiments/create", new { name = "from-server" });
        }
        finally
        {
            FathomProcess.Terminate(server);
            await server.WaitForExitAsync();
        }

        Assert.True(server.ExitCode is 0 or 130 or 143, $"exit {server.ExitCode}: {await stderr}");
        return "from-server";
    }

    // The SDK as user code calls it: the process's environment and working folder, no flag but the argument.
    private static async Task<string> OpenWithSdkAsync(string? flag, string cwd, Dictionary<string, string> variables)
    {
        var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        var savedCwd = Directory.GetCurrentDirectory();
        try
        {
            foreach (var name in Variables)
            {
                Environment.SetEnvironmentVariable(name, variables.GetValueOrDefault(name));
            }

            Directory.SetCurrentDirectory(cwd);
            await using var client = TrackingClient.Open(flag);
            return client.Location;
        }
        catch (ArgumentException e) when (e.Message.StartsWith("No tracking store for 'postgresql:'", StringComparison.Ordinal))
        {
            // The SDK alone has no PostgreSQL kind (a host adds it); it names the location it resolved.
            return e.Message[(e.Message.IndexOf('(', StringComparison.Ordinal) + 1)..e.Message.IndexOf(')', StringComparison.Ordinal)];
        }
        finally
        {
            Directory.SetCurrentDirectory(savedCwd);
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    private static Dictionary<string, string> Parse(string table) =>
        table.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
}
