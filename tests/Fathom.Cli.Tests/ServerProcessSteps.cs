using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// Steps shared by the tests that run <c>fathom server</c> as a real process and talk to it over loopback HTTP: start
/// it and wait until it answers, and call the MLflow API as a client does.
/// </summary>
internal static class ServerProcessSteps
{
    /// <summary>Starts <c>fathom server</c> with <paramref name="args"/> and waits (30 s at most) for /health.</summary>
    public static async Task<Process> StartHealthyAsync(string workingDirectory, HttpClient http, params string[] args)
    {
        var process = FathomProcess.Start(workingDirectory, new Dictionary<string, string>(), ["server", .. args]);
        _ = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var response = await http.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.False(process.HasExited, $"the server exited during start-up: {(process.HasExited ? await stderr : string.Empty)}");
            await Task.Delay(100);
        }

        throw new TimeoutException("fathom server did not become healthy in 30 s");
    }

    /// <summary>POSTs <paramref name="body"/> to an MLflow endpoint, which must succeed; returns the answer.</summary>
    public static async Task<JsonElement> PostAsync(HttpClient http, string rpc, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/2.0/mlflow/" + rpc, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{rpc}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>GETs an MLflow endpoint (path and query) and returns the answer.</summary>
    public static async Task<JsonElement> GetAsync(HttpClient http, string rpc) =>
        JsonDocument.Parse(await http.GetStringAsync("/api/2.0/mlflow/" + rpc)).RootElement.Clone();
}
