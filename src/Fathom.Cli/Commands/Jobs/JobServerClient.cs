using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Jobs;
using Fathom.Remote;
using Fathom.Tracking;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>
/// The jobs API of a <c>fathom server</c> (<c>/api/v1</c>) as the job commands use it, over the tracking connection's
/// credentials, retries and error mapping; runs come back as the store's records, so the commands render one shape
/// whether runs are local or on a server.
/// </summary>
internal sealed class JobServerClient(Uri server) : IDisposable
{
    private readonly MlflowConnection _connection = new(server);

    public void Dispose() => _connection.Dispose();

    public async Task<JobRunRecord> SubmitAsync(string content, string fileName, IReadOnlyDictionary<string, string> parameters, string project, string executor, string directory, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["content"] = content,
            ["file_name"] = fileName,
            ["params"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["executor"] = executor,
            ["directory"] = directory,
        };
        return Run((await SendAsync(HttpMethod.Post, $"projects/{Escape(project)}/runs", body, ct))["run"]!).Run;
    }

    public async Task<(IReadOnlyList<JobRunRecord> Runs, long? NextOffset)> ListAsync(string project, IReadOnlyList<string> statuses, long offset, int limit, CancellationToken ct)
    {
        var query = new StringBuilder($"?offset={offset.ToString(CultureInfo.InvariantCulture)}&limit={limit.ToString(CultureInfo.InvariantCulture)}");
        foreach (var status in statuses)
        {
            query.Append("&status=").Append(Uri.EscapeDataString(status));
        }

        var answer = await SendAsync(HttpMethod.Get, $"projects/{Escape(project)}/runs{query}", null, ct);
        var runs = answer["runs"]!.AsArray().Select(r => Run(r!).Run).ToList();
        return (runs, answer["next_offset"]?.GetValue<long>());
    }

    public async Task<(JobRunRecord Run, IReadOnlyList<JobStatusChange> Statuses)> GetAsync(string uuid, CancellationToken ct) =>
        Run((await SendAsync(HttpMethod.Get, $"runs/{Escape(uuid)}", null, ct))["run"]!);

    public async Task<JobRunRecord> StopAsync(string uuid, CancellationToken ct) =>
        Run((await SendAsync(HttpMethod.Post, $"runs/{Escape(uuid)}/stop", null, ct))["run"]!).Run;

    public async Task<JobRunRecord> RestartAsync(string uuid, CancellationToken ct) =>
        Run((await SendAsync(HttpMethod.Post, $"runs/{Escape(uuid)}/restart", null, ct))["run"]!).Run;

    public async Task<bool> DeleteAsync(string uuid, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Delete, $"runs/{Escape(uuid)}", null, ct))["folder_deleted"]?.GetValue<bool>() ?? false;

    /// <summary>
    /// Writes the run's log from byte <paramref name="offset"/> to <paramref name="output"/>; with <paramref name="follow"/>,
    /// until the run has ended and its log is read. Returns the offset after what was written.
    /// </summary>
    public async Task<long> LogsAsync(string uuid, long offset, bool follow, Stream output, CancellationToken ct)
    {
        var path = $"api/v1/runs/{Escape(uuid)}/logs?offset={offset.ToString(CultureInfo.InvariantCulture)}{(follow ? "&follow=true" : "")}";
        using var response = await _connection.SendRawAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(_connection.BaseUri, path)), HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            await output.FlushAsync(ct);
            offset += read;
        }

        return offset;
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var response = await _connection.SendRawAsync(() => new HttpRequestMessage(method, new Uri(_connection.BaseUri, "api/v1/" + path))
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, HttpCompletionOption.ResponseContentRead, ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject
            ?? throw new TrackingException(ErrorCode.InternalError, $"{method} {path}: the server's answer is not a JSON object.");
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static (JobRunRecord Run, IReadOnlyList<JobStatusChange> Statuses) Run(JsonNode json)
    {
        string? S(string name) => json[name]?.GetValue<string>();
        long? L(string name) => json[name]?.GetValue<long>();
        var run = new JobRunRecord(
            S("uuid")!, S("project")!, S("name")!, S("kind")!, JobStatuses.Parse(S("status")!), S("executor")!, S("spec_file"),
            json["inputs"]?.ToJsonString() ?? "{}", json["resolved_spec"]?.ToJsonString() ?? "{}", L("created_at") ?? 0, L("updated_at") ?? 0,
            L("started_at"), L("finished_at"), (int?)L("exit_code"), S("log_path"), S("outputs_path"), (int)(L("attempt") ?? 1), S("message"), S("submitted_by"), S("parent_uuid"), json["outputs"]?.ToJsonString());
        var statuses = json["statuses"]?.AsArray()
            .Select(s => new JobStatusChange(JobStatuses.Parse(s!["status"]!.GetValue<string>()), s["at"]!.GetValue<long>(), s["message"]?.GetValue<string>()))
            .ToList() ?? [];
        return (run, statuses);
    }

    /// <summary>A file name the server takes (letters, digits, '-', '_', '.'), from a local file's name.</summary>
    public static string PlainName(string path)
    {
        var name = new string([.. Path.GetFileName(path).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]).TrimStart('.');
        return name.Length == 0 ? "polyaxonfile.yaml" : name;
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
