using System.Text.Json;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom models …</c> run as a process, against the project's store and against a tracking server.</summary>
public sealed class ModelsCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Wide enough that a temp folder's long artifact path stays on one line, as on a wide terminal.
    private static Task<CliResult> RunWideAsync(string folder, params string[] args) =>
        FathomProcess.RunAsync(folder, new Dictionary<string, string> { ["COLUMNS"] = "1000" }, TimeSpan.FromMinutes(5), args);

    private static async Task<string> SeedRunAsync(string storeOrUri)
    {
        await using var client = TrackingClient.Open(storeOrUri);
        return await client.RunAsync("sentiment", (run, _) =>
        {
            run.LogMetric("test_accuracy", 0.91);
            return Task.FromResult(run.RunId);
        }, new RunOptions { RunName = "baseline", CaptureLineage = false });
    }

    [Fact]
    public async Task RegisterPromoteAndAlias_OnTheProjectStore_ShowWhatTheUserDid()
    {
        var runId = await SeedRunAsync(_dir.Combine(".fathom"));

        var first = await RunWideAsync(_dir.Path, "models", "register", runId, "model", "--name", "sentiment");
        var second = await FathomProcess.RunAsync(_dir.Path, "models", "register", runId, "model", "--name", "sentiment", "--json");
        var staged = await FathomProcess.RunAsync(_dir.Path, "models", "stage", "sentiment", "1", "production");
        var promoted = await FathomProcess.RunAsync(_dir.Path, "models", "stage", "sentiment", "2", "Production", "--archive-existing");
        var aliased = await FathomProcess.RunAsync(_dir.Path, "models", "alias", "sentiment", "champion", "2");
        var list = await FathomProcess.RunAsync(_dir.Path, "models", "list", "--json");
        var show = await RunWideAsync(_dir.Path, "models", "show", "sentiment");
        var search = await FathomProcess.RunAsync(_dir.Path, "models", "search", $"run_id = '{runId}' AND version_number < 2", "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches($"^Registered sentiment version 1 from .*/{runId}/artifacts/model\\.$", first.StdoutLines.Single());
        using (var json = JsonDocument.Parse(second.Stdout))
        {
            Assert.Equal("2", json.RootElement.GetProperty("model_version").GetProperty("version").GetString());
            Assert.Equal(runId, json.RootElement.GetProperty("model_version").GetProperty("run_id").GetString());
        }

        Assert.Equal("sentiment version 1 is now in Production.", staged.StdoutLines.Single());
        Assert.Equal("sentiment version 2 is now in Production.", promoted.StdoutLines.Single());
        Assert.Equal("sentiment@champion now points at version 2.", aliased.StdoutLines.Single());
        using (var json = JsonDocument.Parse(list.Stdout))
        {
            var model = json.RootElement.GetProperty("registered_models").EnumerateArray().Single();
            Assert.Equal(
                ["1:Archived", "2:Production"],
                model.GetProperty("latest_versions").EnumerateArray().Select(v => $"{v.GetProperty("version").GetString()}:{v.GetProperty("current_stage").GetString()}"));
            Assert.Equal("""[{"alias":"champion","version":"2"}]""", JsonSerializer.Serialize(model.GetProperty("aliases")));
        }

        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains(show.StdoutLines, l => l.Contains("│ sentiment │ 2 ", StringComparison.Ordinal) && l.Contains("Production", StringComparison.Ordinal) && l.Contains("@champion", StringComparison.Ordinal));
        Assert.Contains(show.StdoutLines, l => l.Contains("│ sentiment │ 1 ", StringComparison.Ordinal) && l.Contains("Archived", StringComparison.Ordinal));
        using (var json = JsonDocument.Parse(search.Stdout))
        {
            Assert.Equal("1", json.RootElement.GetProperty("model_versions").EnumerateArray().Single().GetProperty("version").GetString());
        }
    }

    [Fact]
    public async Task Mistakes_ExitWithOneClearLineAndANamedCode()
    {
        var runId = await SeedRunAsync(_dir.Combine(".fathom"));
        await FathomProcess.RunAsync(_dir.Path, "models", "register", runId, "model", "--name", "m");

        var badStage = await FathomProcess.RunAsync(_dir.Path, "models", "stage", "m", "1", "live");
        var badVersion = await FathomProcess.RunAsync(_dir.Path, "models", "alias", "m", "gold", "one");
        var unknown = await FathomProcess.RunAsync(_dir.Path, "models", "show", "nope");
        var unknownRun = await FathomProcess.RunAsync(_dir.Path, "models", "register", "0123456789abcdef", "model", "--name", "m");
        var badFilter = await FathomProcess.RunAsync(_dir.Path, "models", "search", "name = 'm' OR name = 'n'");

        Assert.Equal((2, "error: Invalid Model Version stage: live. Value must be one of None, Staging, Production, Archived."), (badStage.ExitCode, badStage.Stderr.Trim()));
        Assert.Equal((2, "error: Parameter 'version' must be an integer, got 'one'."), (badVersion.ExitCode, badVersion.Stderr.Trim()));
        Assert.Equal((3, "error: No registered model named 'nope'. See `fathom models list`."), (unknown.ExitCode, unknown.Stderr.Trim()));
        Assert.Equal(3, unknownRun.ExitCode);
        Assert.Equal(2, badFilter.ExitCode);
        Assert.Contains("'OR'", badFilter.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_AgainstATrackingServer_WorksLikeTheEmbeddedStore()
    {
        var options = new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(_dir.Combine("server-store"), "/"), ArtifactsDestination = _dir.Combine("server-artifacts") };
        await using var server = TrackingServerHost.Build(options);
        await server.StartAsync();
        var uri = server.Urls.First();
        var runId = await SeedRunAsync(uri);

        var registered = await RunWideAsync(_dir.Path, "models", "register", runId, "model", "--name", "remote", "--tracking-uri", uri);
        var list = await FathomProcess.RunAsync(_dir.Path, "models", "list", "--json", "--tracking-uri", uri);
        await server.StopAsync();

        Assert.True(registered.ExitCode == 0, registered.ToString());
        Assert.Matches($"^Registered remote version 1 from mlflow-artifacts:/1/{runId}/artifacts/model\\.$", registered.StdoutLines.Single());
        using var json = JsonDocument.Parse(list.Stdout);
        var model = json.RootElement.GetProperty("registered_models").EnumerateArray().Single();
        Assert.Equal("remote", model.GetProperty("name").GetString());
        Assert.Equal(runId, model.GetProperty("latest_versions").EnumerateArray().Single().GetProperty("run_id").GetString());
        Assert.False(File.Exists(_dir.Combine(".fathom", "fathom.db")));
    }
}
