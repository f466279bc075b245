using System.Text.Json;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom models history|rollback</c> run as a process, on the project's store and through a tracking server.</summary>
public sealed class ModelsHistoryCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<string> SeedRunAsync(string storeOrUri)
    {
        await using var client = TrackingClient.Open(storeOrUri);
        return await client.RunAsync("sentiment", (run, _) => Task.FromResult(run.RunId), new RunOptions { RunName = "baseline", CaptureLineage = false });
    }

    private async Task<CliResult> FathomAsync(params string[] args)
    {
        var result = await FathomProcess.RunAsync(_dir.Path, new Dictionary<string, string> { ["COLUMNS"] = "1000" }, TimeSpan.FromMinutes(5), args);
        return result;
    }

    [Fact]
    public async Task PromoteThenRollback_OnTheProjectStore_HistoryNamesWhoWhenFromAndTo()
    {
        var runId = await SeedRunAsync(_dir.Combine(".fathom"));
        await FathomAsync("models", "register", runId, "model", "--name", "sentiment");
        await FathomAsync("models", "register", runId, "model", "--name", "sentiment");
        await FathomAsync("models", "alias", "sentiment", "champion", "1");
        await FathomAsync("models", "alias", "sentiment", "champion", "2");
        await FathomAsync("models", "stage", "sentiment", "2", "Production");

        var rollback = await FathomAsync("models", "rollback", "sentiment", "champion");
        var table = await FathomAsync("models", "history", "sentiment", "--alias", "champion");
        var json = await FathomAsync("models", "history", "sentiment", "--json");
        var nothingBefore = await FathomAsync("models", "rollback", "sentiment", "challenger");
        var unknown = await FathomAsync("models", "history", "nope");

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal("sentiment@champion rolled back from version 2 to version 1.", rollback.StdoutLines.Single());
        var rows = table.StdoutLines.Where(l => l.Contains("@champion", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Matches($@"│ @champion │ rollback │ v2 +│ v1 +│ {Environment.UserName} +│", rows[0]);
        Assert.Matches($@"│ @champion │ set +│ v1 +│ v2 +│ {Environment.UserName} +│", rows[1]);
        Assert.Matches($@"│ @champion │ set +│ - +│ v1 +│ {Environment.UserName} +│", rows[2]);
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(
                ["alias champion rollback 2->1", "stage Production transition ->2", "alias champion set 1->2", "alias champion set ->1"],
                doc.RootElement.GetProperty("history").EnumerateArray().Select(e =>
                    $"{e.GetProperty("kind").GetString()} {e.GetProperty("target").GetString()} {e.GetProperty("action").GetString()} " +
                    $"{(e.TryGetProperty("from_version", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : "")}->{e.GetProperty("to_version").GetString()}"));
        }

        Assert.Equal((2, "error: Alias 'challenger' of model 'sentiment' has no recorded moves; there is nothing to roll back to."), (nothingBefore.ExitCode, nothingBefore.Stderr.Trim()));
        Assert.Equal(3, unknown.ExitCode);
    }

    [Fact]
    public async Task Rollback_ThroughATrackingServer_MovesTheAliasAndTheRestRouteListsIt()
    {
        var options = new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(_dir.Combine("server-store"), "/"), ArtifactsDestination = _dir.Combine("server-artifacts") };
        await using var server = TrackingServerHost.Build(options);
        await server.StartAsync();
        var uri = server.Urls.First();
        var runId = await SeedRunAsync(uri);
        await FathomAsync("models", "register", runId, "model", "--name", "remote", "--tracking-uri", uri);
        await FathomAsync("models", "register", runId, "model", "--name", "remote", "--tracking-uri", uri);
        await FathomAsync("models", "alias", "remote", "champion", "1", "--tracking-uri", uri);
        await FathomAsync("models", "alias", "remote", "champion", "2", "--tracking-uri", uri);

        var rollback = await FathomAsync("models", "rollback", "remote", "champion", "--json", "--tracking-uri", uri);
        using var http = new HttpClient { BaseAddress = new Uri(uri) };
        var history = await http.GetStringAsync("/api/2.0/mlflow/registered-models/alias/history?name=remote&alias=champion");
        var resolved = await http.GetStringAsync("/api/2.0/mlflow/registered-models/alias?name=remote&alias=champion");
        await server.StopAsync();

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        using (var doc = JsonDocument.Parse(rollback.Stdout))
        {
            Assert.Equal("1", doc.RootElement.GetProperty("entry").GetProperty("to_version").GetString());
        }

        using (var doc = JsonDocument.Parse(history))
        {
            Assert.Equal(["rollback", "set", "set"], doc.RootElement.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
            // No --auth: the server knows no user, and takes no client's word for one.
            Assert.All(doc.RootElement.GetProperty("history").EnumerateArray(), e => Assert.False(e.TryGetProperty("user_id", out _)));
        }

        using (var doc = JsonDocument.Parse(resolved))
        {
            Assert.Equal("1", doc.RootElement.GetProperty("model_version").GetProperty("version").GetString());
        }
    }
}
