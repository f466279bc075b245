using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Fathom.Jobs;

/// <summary>
/// Where a service run listens when it runs on this machine, kept in its run folder (<see cref="FileName"/>) so that the
/// job, a restarted server and the proxy all see the same ports. Polyaxon's service listens on its declared
/// <c>ports</c> inside its pod; two local services may declare the same port, so each declared port becomes a free
/// loopback port chosen when the run is first compiled, which the job reads as <c>{{ globals.ports[0] }}</c> (Polyaxon's
/// templating of a service's ports) and as <c>$FATHOM_SERVICE_PORT</c>.
/// </summary>
internal sealed record ServiceEndpoint(IReadOnlyList<int> Ports, bool RewritePath)
{
    public const string FileName = "service.json";

    public const string PortVariable = "FATHOM_SERVICE_PORT";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The run's endpoint: read from its folder, or chosen now (one free loopback port per declared port) and kept there.</summary>
    public static ServiceEndpoint For(string runFolder, ServiceRunSpec service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (Read(runFolder) is { } kept)
        {
            return kept;
        }

        var endpoint = new ServiceEndpoint([.. service.Ports.Select(_ => FreeLoopbackPort())], service.RewritePath);
        Directory.CreateDirectory(runFolder);
        var file = Path.Combine(runFolder, FileName);
        File.WriteAllText(file + ".tmp", JsonSerializer.Serialize(endpoint, Json));
        File.Move(file + ".tmp", file, overwrite: true);
        return endpoint;
    }

    /// <summary>The endpoint kept in a run folder, or null when the run is no local service (or has not been compiled).</summary>
    public static ServiceEndpoint? Read(string runFolder)
    {
        var file = Path.Combine(runFolder, FileName);
        return File.Exists(file) ? JsonSerializer.Deserialize<ServiceEndpoint>(File.ReadAllText(file), Json) : null;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
