using System.Text;
using System.Text.Json.Nodes;
using Fathom.Remote;
using Fathom.Tracking;

namespace Fathom.Cli.Commands.Endpoints;

/// <summary>
/// The endpoints API of a <c>fathom server</c> (<c>/api/v1/endpoints</c>) over the tracking connection's credentials,
/// retries and error mapping. Endpoints come back as the server writes them, which <c>--json</c> prints unchanged.
/// </summary>
internal sealed class EndpointServerClient(Uri server) : IDisposable
{
    private readonly MlflowConnection _connection = new(server);

    public void Dispose() => _connection.Dispose();

    public async Task<JsonObject> CreateAsync(JsonObject body, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Post, string.Empty, body, ct))["endpoint"]!.AsObject();

    public async Task<JsonArray> ListAsync(CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, string.Empty, null, ct))["endpoints"]!.AsArray();

    public async Task<JsonObject> GetAsync(string name, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, "/" + Uri.EscapeDataString(name), null, ct))["endpoint"]!.AsObject();

    public async Task<string> LogsAsync(string name, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, $"/{Uri.EscapeDataString(name)}/logs", null, ct))["logs"]!.GetValue<string>();

    public async Task RemoveAsync(string name, CancellationToken ct) =>
        await SendAsync(HttpMethod.Delete, "/" + Uri.EscapeDataString(name), null, ct);

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var response = await _connection.SendRawAsync(() => new HttpRequestMessage(method, new Uri(_connection.BaseUri, "api/v1/endpoints" + path))
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, HttpCompletionOption.ResponseContentRead, ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject
            ?? throw new TrackingException(ErrorCode.InternalError, $"{method} endpoints{path}: the server's answer is not a JSON object.");
    }
}
