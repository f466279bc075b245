using System.Collections.Concurrent;
using System.Globalization;
using Fathom.Mlflow;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Endpoints;

/// <summary>
/// Runs the server's local endpoints: starts the stored ones when the server starts (so they survive its restart),
/// creates and removes them for the API, and follows each endpoint's model URI — when the alias it names moves, or a
/// stage gets a new newest version, the endpoint swaps to it (see <see cref="RunningEndpoint.DeployAsync"/>).
/// </summary>
internal sealed partial class EndpointManager(
    MlflowState state, TrackingServerOptions server, EndpointOptions options, TimeProvider time, ILogger<EndpointManager> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, RunningEndpoint> _running = new(StringComparer.Ordinal);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _backoff = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10), UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(100),
    };

    private IEndpointStore Store => ModelRegistries.Of(state.Store) as IEndpointStore
        ?? throw TrackingException.Invalid("This server's store keeps no endpoints.");

    private IModelRegistryStore Registry => state.Registry;

    /// <summary>The folder of an endpoint's logs, beside the store.</summary>
    private string FolderOf(string name) => Path.Combine(server.Store.LocalFolder, "endpoints", name);

    /// <summary>The endpoint as this server runs it, or null.</summary>
    public RunningEndpoint? Running(string name) => _running.GetValueOrDefault(name);

    /// <summary>The model an endpoint serves, for its routes' permissions; an unknown endpoint is 404.</summary>
    public string ModelOf(string name) =>
        (_running.TryGetValue(name, out var endpoint) ? RegistryUriResolver.ModelName(endpoint.Record.ModelUri) : null)
        ?? throw TrackingException.NotFound($"No endpoint named '{name}'. See `fathom endpoints list`.");

    public async Task<RunningEndpoint> CreateAsync(EndpointRecord request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EndpointValidation.ValidateName(request.Name);
        EndpointValidation.ValidateModelUri(request.ModelUri);
        EndpointValidation.ValidateTarget(request.Target);
        EndpointValidation.ValidateReplicas(request.Replicas);
        EndpointValidation.ValidatePort(request.Port);
        var split = request.Traffic is null ? null : EndpointTraffic.Parse(request.Traffic, "traffic");
        if (options.FathomCommand is null)
        {
            throw new TrackingException(ErrorCode.InternalError, "This server cannot start replicas: it was not started by the fathom command.");
        }

        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (_running.ContainsKey(request.Name) || await Store.GetEndpointAsync(request.Name, cancellationToken) is not null)
            {
                throw new TrackingException(ErrorCode.ResourceAlreadyExists, $"An endpoint named '{request.Name}' already exists; remove it first or pick another name.");
            }

            // The model and versions must exist before anything starts: an unknown model is 404, nothing is kept.
            var versions = await VersionsAsync(request.ModelUri, split, cancellationToken);
            var endpoint = new RunningEndpoint(request with { Traffic = split is null ? null : EndpointTraffic.Format(split) }, FolderOf(request.Name), options, _http, time);
            await endpoint.ListenAsync(server.Host, cancellationToken);
            try
            {
                await endpoint.DeployAsync(versions, split, cancellationToken);
                await Store.CreateEndpointAsync(endpoint.Record, cancellationToken);
            }
            catch
            {
                await endpoint.DisposeAsync();
                throw;
            }

            _running[request.Name] = endpoint;
            return endpoint;
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (_running.TryRemove(name, out var endpoint))
            {
                endpoint.Event("removed");
                await endpoint.DisposeAsync();
            }

            return await Store.DeleteEndpointAsync(name, cancellationToken) || endpoint is not null;
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task<IReadOnlyList<(EndpointRecord Record, RunningEndpoint? Running)>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await Store.ListEndpointsAsync(cancellationToken)).Select(r => (r, Running(r.Name)))];

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var name in _running.Keys.ToList())
        {
            if (_running.TryRemove(name, out var endpoint))
            {
                endpoint.Event("server stopping");
                await endpoint.DisposeAsync();
            }
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        _changes.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.FathomCommand is null)
        {
            return;
        }

        try
        {
            await RestartStoredAsync(stoppingToken);
            using var timer = new PeriodicTimer(options.FollowInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var endpoint in _running.Values)
                {
                    await FollowAsync(endpoint, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping (or failed to start, as when its port is taken): not a failure of the service.
        }
    }

    // The endpoints the store keeps were running when the server stopped: start them again, on their ports.
    private async Task RestartStoredAsync(CancellationToken cancellationToken)
    {
        foreach (var record in await Store.ListEndpointsAsync(cancellationToken))
        {
            var endpoint = new RunningEndpoint(record, FolderOf(record.Name), options, _http, time);
            try
            {
                endpoint.Event("server started: starting the endpoint again");
                await endpoint.ListenAsync(server.Host, cancellationToken);
                _running[record.Name] = endpoint;
                var split = record.Traffic is null ? null : EndpointTraffic.Parse(record.Traffic, "traffic");
                await endpoint.DeployAsync(await VersionsAsync(record.ModelUri, split, cancellationToken), split, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Kept and listed with its error; the follow loop tries again while it is in the map.
                Log.RestartFailed(logger, record.Name, e.Message);
            }
        }
    }

    private async Task FollowAsync(RunningEndpoint endpoint, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_backoff.TryGetValue(endpoint.Name, out var until) && now < until)
        {
            return;
        }

        try
        {
            var sick = endpoint.Pools?.Replicas.Any(r => !r.Healthy || r.HasExited) ?? false;
            if (endpoint.Record.Traffic is { } traffic)
            {
                // A canary serves the versions it names; it is only started again when it is down or sick.
                if (endpoint.Pools is not null && !sick)
                {
                    return;
                }

                var split = EndpointTraffic.Parse(traffic, "traffic");
                endpoint.Event("replacing the canary's replicas");
                await endpoint.DeployAsync(await VersionsAsync(endpoint.Record.ModelUri, split, cancellationToken), split, cancellationToken);
                return;
            }

            var version = await RegistryUriResolver.ResolveAsync(Registry, endpoint.Record.ModelUri, cancellationToken);
            if (endpoint.Pools?.Versions is [var current] && current == version.Version && !sick)
            {
                return;
            }

            var number = version.Version.ToString(CultureInfo.InvariantCulture);
            endpoint.Event(sick ? $"a replica is down: replacing the replicas of version {number}" : $"{endpoint.Record.ModelUri} is now version {number}");
            await endpoint.DeployAsync([(version.Version, await FolderAsync(version, cancellationToken))], null, cancellationToken);
            _backoff.TryRemove(endpoint.Name, out _);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A version that will not start is not tried again every second: the old replicas keep serving meanwhile.
            _backoff[endpoint.Name] = now + RetryAfterFailure;
            Log.FollowFailed(logger, endpoint.Name, e.Message);
        }
    }

    private async Task<IReadOnlyList<(long Version, string Folder)>> VersionsAsync(string uri, IReadOnlyList<TrafficSplit>? split, CancellationToken cancellationToken)
    {
        var versions = split is null
            ? [await RegistryUriResolver.ResolveAsync(Registry, uri, cancellationToken)]
            : await Task.WhenAll(split.Select(s => RegistryUriResolver.VersionOfAsync(Registry, uri, s.Version, cancellationToken)));
        var folders = new List<(long, string)>();
        foreach (var version in versions)
        {
            folders.Add((version.Version, await FolderAsync(version, cancellationToken)));
        }

        return folders;
    }

    // The version's files as a local folder: its own when local, else downloaded once beside the endpoints' logs.
    private async Task<string> FolderAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        var location = await Registry.GetModelVersionDownloadUriAsync(version.Name, version.Version, cancellationToken);
        var scratch = Path.Combine(server.Store.LocalFolder, "endpoints", ".models", Uri.EscapeDataString(version.Name), version.Version.ToString(CultureInfo.InvariantCulture));
        return await MlflowArtifactsApi.OpenRunArtifacts(state, location).GetLocalPathAsync(string.Empty, scratch, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint} could not be started again: {Error}")]
        public static partial void RestartFailed(ILogger logger, string endpoint, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint} could not follow its model: {Error}")]
        public static partial void FollowFailed(ILogger logger, string endpoint, string error);
    }
}
