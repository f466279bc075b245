using System.Globalization;
using System.Text;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Mlflow;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Endpoints;

/// <summary>
/// The endpoints REST API under <c>/api/v1/endpoints</c>, mapped as the jobs API is (the strict request reader,
/// MLflow's error shape, a declared permission on every route). Permissions are the served model's: creating or
/// removing an endpoint needs MANAGE on it — an endpoint serves the model to anyone who reaches its port, which is
/// the model owner's decision, as granting access is — and describing one, its URL and its logs need READ.
/// </summary>
internal static class EndpointsApi
{
    public const string Prefix = "/api/v1";

    private static readonly string[] CreateFields = ["name", "model_uri", "target", "replicas", "port", "traffic"];

    public static IEndpointRouteBuilder MapEndpointsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = app.ServiceProvider.GetRequiredService<MlflowState>();
        var manager = app.ServiceProvider.GetRequiredService<EndpointManager>();
        var server = state.Options;
        var authorizer = app.ServiceProvider.GetService<Authorizer>();
        var auth = app.ServiceProvider.GetService<IAuthStore>();
        var group = app.MapGroup(Prefix);
        static string Name(MlflowRequest r) => r.Route("name") ?? throw MlflowRequest.Missing("name");
        string ModelOfEndpoint(MlflowRequest r) => manager.ModelOf(Name(r));
        static string ModelOfUri(MlflowRequest r)
        {
            var uri = r.RequireString("model_uri");
            EndpointValidation.ValidateModelUri(uri);
            return RegistryUriResolver.ModelName(uri) ?? throw TrackingException.Invalid($"model: '{uri}' names no registered model.");
        }

        MlflowRpc.Map(group, "POST", "/endpoints", state, async (_, r, w, ct) =>
        {
            if (r.BodyFields().FirstOrDefault(f => !CreateFields.Contains(f, StringComparer.Ordinal)) is { } unknown)
            {
                throw TrackingException.Invalid($"Unknown field '{unknown}'; an endpoint has {string.Join(", ", CreateFields)}.");
            }

            var replicas = r.Int64("replicas") ?? 1;
            var port = r.Int64("port") ?? 0;
            EndpointValidation.ValidateReplicas(replicas);
            EndpointValidation.ValidatePort(port);
            var record = new EndpointRecord(
                r.RequireString("name"), r.RequireString("model_uri"), r.String("target") ?? EndpointRecord.LocalTarget, (int)replicas, (int)port,
                r.String("traffic") is { Length: > 0 } traffic ? traffic : null, r.Username, 0, 0);
            var endpoint = await manager.CreateAsync(record, ct);
            w.WriteStartObject();
            w.WritePropertyName("endpoint");
            Write(w, endpoint.Record, endpoint, server);
            w.WriteEndObject();
        }, RoutePermission.Model(Access.Manage, ModelOfUri));

        MlflowRpc.Map(group, "GET", "/endpoints", state, async (_, r, w, ct) =>
        {
            var user = r.Username is { } name && auth is not null ? await auth.GetUserAsync(name, ct) : null;
            w.WriteStartObject();
            w.WriteStartArray("endpoints");
            foreach (var (record, running) in await manager.ListAsync(ct))
            {
                // Only the endpoints of models the caller may read, as model searches narrow theirs.
                if (user is null || authorizer is null
                    || await authorizer.CanReadModelAsync(user, RegistryUriResolver.ModelName(record.ModelUri) ?? string.Empty, ct))
                {
                    Write(w, record, running, server);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }, RoutePermission.SignedIn, MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "GET", "/endpoints/{name}", state, (_, r, w, _) =>
        {
            var endpoint = manager.Running(Name(r)) ?? throw NotFound(Name(r));
            w.WriteStartObject();
            w.WritePropertyName("endpoint");
            Write(w, endpoint.Record, endpoint, server);
            w.WriteEndObject();
            return Task.CompletedTask;
        }, RoutePermission.Model(Access.Read, ModelOfEndpoint), MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "GET", "/endpoints/{name}/logs", state, async (_, r, w, ct) =>
        {
            var endpoint = manager.Running(Name(r)) ?? throw NotFound(Name(r));
            w.WriteStartObject();
            w.WriteString("logs", await LogsAsync(endpoint, ct));
            w.WriteEndObject();
        }, RoutePermission.Model(Access.Read, ModelOfEndpoint), MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "DELETE", "/endpoints/{name}", state, async (_, r, w, ct) =>
        {
            if (!await manager.RemoveAsync(Name(r), ct))
            {
                throw NotFound(Name(r));
            }

            MlflowRpc.WriteEmpty(w);
        }, RoutePermission.Model(Access.Manage, ModelOfEndpoint), MlflowRoute.PathOnly);
        return app;
    }

    private static TrackingException NotFound(string name) => TrackingException.NotFound($"No endpoint named '{name}'. See `fathom endpoints list`.");

    /// <summary>The URL clients call: the router's port on the server's address (loopback when it binds every address).</summary>
    public static string Url(TrackingServerOptions server, int port)
    {
        ArgumentNullException.ThrowIfNull(server);
        var host = server.Host is "0.0.0.0" or "::" or "*" or "+" ? "127.0.0.1" : server.Host;
        return string.Create(CultureInfo.InvariantCulture, $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/");
    }

    private static void Write(Utf8JsonWriter w, EndpointRecord record, RunningEndpoint? running, TrackingServerOptions server)
    {
        w.WriteStartObject();
        w.WriteString("name", record.Name);
        w.WriteString("model_uri", record.ModelUri);
        w.WriteString("target", record.Target);
        w.WriteNumber("replicas", record.Replicas);
        w.WriteNumber("port", record.Port);
        w.WriteString("url", Url(server, record.Port));
        if (record.Traffic is { } traffic)
        {
            w.WriteString("traffic", traffic);
        }

        w.WriteString("status", running?.Status ?? "stopped");
        w.WriteStartArray("versions");
        foreach (var version in running?.Pools?.Versions ?? [])
        {
            w.WriteStringValue(version.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndArray();
        if (running?.Incoming is { } incoming)
        {
            w.WriteStartArray("incoming_versions");
            foreach (var version in incoming)
            {
                w.WriteStringValue(version.ToString(CultureInfo.InvariantCulture));
            }

            w.WriteEndArray();
        }

        if (running?.LastError is { } error)
        {
            w.WriteString("last_error", error);
        }

        w.WriteStartArray("replica_processes");
        foreach (var replica in running?.Pools?.Replicas ?? [])
        {
            w.WriteStartObject();
            w.WriteString("version", replica.Version.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("port", replica.Port);
            w.WriteNumber("pid", replica.ProcessId);
            w.WriteBoolean("healthy", replica.Healthy && !replica.HasExited);
            w.WriteNumber("in_flight", replica.InFlight);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (record.CreatedBy is { } user)
        {
            w.WriteString("created_by", user);
        }

        w.WriteNumber("creation_timestamp", record.CreationTime);
        w.WriteNumber("last_updated_timestamp", record.LastUpdatedTime);
        w.WriteEndObject();
    }

    // The event log, then the end of each current replica's log: what an operator reads first when a swap went wrong.
    private static async Task<string> LogsAsync(RunningEndpoint endpoint, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var files = new List<string> { endpoint.EventsLog };
        files.AddRange(endpoint.Pools?.Replicas.Select(r => r.LogPath) ?? []);
        foreach (var file in files.Where(File.Exists))
        {
            text.Append("==> ").Append(Path.GetFileName(file)).Append(" <==\n");
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - 64 * 1024), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            text.Append(await reader.ReadToEndAsync(cancellationToken));
        }

        return text.ToString();
    }
}
