using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli.Tests;

public sealed class ServerCommandTests
{
    [Fact]
    public async Task Server_MlflowClientLogsAndSearches_StoreIsSharedWithTheCli()
    {
        using var dir = new TempDirectory();
        var store = dir.Combine("store");
        var port = Loopback.FreePort();
        using var server = FathomProcess.Start(dir.Path, new Dictionary<string, string>(), "server", "--port", port.ToString(CultureInfo.InvariantCulture), "--store", store);
        var stdout = server.StandardOutput.ReadToEndAsync();
        var stderr = server.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await Loopback.WaitForHealthAsync(http, server, TimeSpan.FromSeconds(15));
            var experiment = (await PostAsync(http, "experiments/create", """{"name": "from-mlflow"}""")).GetProperty("experiment_id").GetString();
            var run = await PostAsync(http, "runs/create", $$"""{"experiment_id": "{{experiment}}", "run_name": "r1", "start_time": 1700000000000}""");
            var runId = run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString();
            await PostAsync(http, "runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{"key": "acc", "value": 0.8, "timestamp": 1700000000001, "step": 1}]}""");
            var found = await PostAsync(http, "runs/search", $$"""{"experiment_ids": ["{{experiment}}"], "filter": "metrics.acc > 0.5", "order_by": ["metrics.acc DESC"]}""");

            Assert.Equal($"mlflow-artifacts:/{experiment}/{runId}/artifacts", run.GetProperty("run").GetProperty("info").GetProperty("artifact_uri").GetString());
            Assert.Equal(runId, found.GetProperty("runs")[0].GetProperty("info").GetProperty("run_id").GetString());

            FathomProcess.Terminate(server);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(cts.Token);
            Assert.True(server.ExitCode is 0 or 130 or 143, $"exit {server.ExitCode}: {await stderr}");
            Assert.Contains($"Tracking server on http://127.0.0.1:{port}", await stdout, StringComparison.Ordinal);

            var list = await FathomProcess.RunAsync(dir.Path, "experiments", "list", "--store", store);
            Assert.Equal(0, list.ExitCode);
            Assert.Contains("from-mlflow", list.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Server_PortInUse_OneLineSayingWhatToDoAndNoStoreFolderLeft()
    {
        using var dir = new TempDirectory();
        using var occupant = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var result = await FathomProcess.RunAsync(dir.Path, "server", "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: cannot listen on 127.0.0.1 port {port}: the port is in use; pick another --port (0 picks a free one) or stop what listens there.", error);
        Assert.False(Directory.Exists(dir.Combine(".fathom")), "a server that did not start made .fathom/");
    }

    [Fact]
    public async Task Server_UnsupportedStoreScheme_ExitsInvalidInput()
    {
        using var dir = new TempDirectory();

        var result = await FathomProcess.RunAsync(dir.Path, "server", "--port", "0", "--store", "mysql://localhost/db");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("mysql", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_UnreachablePostgres_FailsAtStartWithOneLine()
    {
        using var dir = new TempDirectory();

        var result = await FathomProcess.RunAsync(dir.Path, "server", "--port", "0", "--store", "postgresql://nobody@127.0.0.1:1/db");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error:", result.Stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string rpc, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/2.0/mlflow/" + rpc, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{rpc}: {response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
