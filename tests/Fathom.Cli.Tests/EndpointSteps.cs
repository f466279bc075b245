using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// A project with a model trained by the real <c>fathom train</c>, registered twice, and <c>fathom server</c> run on it
/// as a process: what the endpoint tests start from. The CLI is run as the user runs it, against the server.
/// </summary>
internal sealed class EndpointSteps(TrainedRunFixture trained) : IDisposable
{
    private Process? _server;

    public int Port { get; } = Loopback.FreePort();

    public string Uri => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Store => Path.Combine(trained.Project, ".fathom");

    public async Task StartServerAsync()
    {
        using var http = new HttpClient { BaseAddress = new System.Uri(Uri) };
        _server = await ServerProcessSteps.StartHealthyAsync(trained.Project, http, "--store", Store, "--port", Port.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>SIGTERM, as a supervisor stops the server; its endpoints' replicas go with it.</summary>
    public async Task StopServerAsync()
    {
        if (_server is { HasExited: false } server)
        {
            FathomProcess.Terminate(server);
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    public Task<CliResult> FathomAsync(params string[] args) =>
        FathomProcess.RunAsync(trained.Project, new Dictionary<string, string> { ["FATHOM_TRACKING_URI"] = Uri, ["COLUMNS"] = "1000" }, TimeSpan.FromMinutes(3), args);

    /// <summary>Registers the trained run's model as the next version of <paramref name="model"/>.</summary>
    public async Task RegisterAsync(string model)
    {
        var result = await FathomAsync("models", "register", trained.RunId, "model", "--name", model);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    public async Task<JsonElement> CreateEndpointAsync(params string[] args)
    {
        var result = await FathomAsync(["endpoints", "create", .. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    /// <summary>One scoring request as a client sends it; the version that answered, or null with the failure.</summary>
    public static async Task<(long? Version, string? Failure)> ScoreAsync(HttpClient http, string url, string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url + "invocations")
        {
            Content = new StringContent("""{"instances": ["A wonderful, moving film. I loved it."]}""", Encoding.UTF8, "application/json"),
        };
        if (session is not null)
        {
            request.Headers.Add("X-Fathom-Session", session);
        }

        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode || !body.Contains("predictions", StringComparison.Ordinal))
            {
                return (null, $"{(int)response.StatusCode}: {body}");
            }

            return (long.Parse(response.Headers.GetValues("X-Fathom-Model-Version").Single(), CultureInfo.InvariantCulture), null);
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message);
        }
    }

    public void Dispose()
    {
        if (_server is { HasExited: false } server)
        {
            server.Kill(entireProcessTree: true);
        }

        _server?.Dispose();
    }
}
