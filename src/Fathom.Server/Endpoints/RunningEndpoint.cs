using System.Globalization;
using System.Text;

namespace Fathom.Endpoints;

/// <summary>
/// A local endpoint while the server runs it: its router on its port, the replicas behind it, and the swap that
/// replaces them — new replicas started, answering <c>/ping</c> and warmed before the router points at them, the old
/// ones stopped only after the requests they hold are answered. Swaps of one endpoint run one at a time.
/// </summary>
internal sealed class RunningEndpoint : IAsyncDisposable
{
    // A short review in the shape of the reference template's predict request, scored to warm a new replica.
    private const string WarmupBody = """{"reviews": [{"id": 1, "text": "A wonderful film with a moving story and brilliant acting."}]}""";

    private readonly EndpointOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _swap = new(1, 1);
    private readonly EndpointRouter _router;
    private WebApplication? _app;
    private volatile EndpointPools? _pools;
    private int _started;

    public RunningEndpoint(EndpointRecord record, string folder, EndpointOptions options, HttpClient http, TimeProvider time)
    {
        _time = time;
        Record = record;
        Folder = folder;
        _options = options;
        _http = http;
        _router = new EndpointRouter(this, http);
    }

    public EndpointRecord Record { get; private set; }

    public string Name => Record.Name;

    /// <summary>Where the endpoint's event log and its replicas' logs are written.</summary>
    public string Folder { get; }

    public string EventsLog => Path.Combine(Folder, "events.log");

    public EndpointPools? Pools => _pools;

    /// <summary>starting, ready, or failed (with <see cref="LastError"/>).</summary>
    public string Status { get; private set; } = "starting";

    public string? LastError { get; private set; }

    /// <summary>The versions being started by a swap in progress, if any.</summary>
    public IReadOnlyList<long>? Incoming { get; private set; }

    /// <summary>Starts listening on the endpoint's port (0: a free one, kept in <see cref="Record"/>); fails when the port is taken.</summary>
    public async Task ListenAsync(string host, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var app = EndpointRouter.Build(host, Record.Port);
        app.Run(_router.ForwardAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw Tracking.TrackingException.Invalid($"port: {Record.Port.ToString(CultureInfo.InvariantCulture)} is in use on {host} ({e.Message}); pick another --port or 0 for a free one.");
        }

        _app = app;
        var bound = new Uri(app.Urls.First()).Port;
        Record = Record with { Port = bound };
    }

    /// <summary>
    /// Makes the endpoint serve <paramref name="versions"/> (each with its model folder) split by <paramref name="split"/>:
    /// new replicas first, then the switch, then the old drained. On failure the old replicas keep serving.
    /// </summary>
    public async Task DeployAsync(IReadOnlyList<(long Version, string Folder)> versions, IReadOnlyList<TrafficSplit>? split, CancellationToken cancellationToken)
    {
        await _swap.WaitAsync(cancellationToken);
        var started = new List<Replica>();
        try
        {
            Incoming = [.. versions.Select(v => v.Version)];
            Event($"starting {Record.Replicas} replica(s) of version(s) {string.Join(", ", Incoming)}");
            var pools = new List<VersionPool>();
            foreach (var (version, folder) in versions)
            {
                var replicas = new List<Replica>();
                for (var i = 0; i < Record.Replicas; i++)
                {
                    var index = Interlocked.Increment(ref _started);
                    var log = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"replica-{index}-v{version}.log"));
                    var replica = Replica.Start(_options.FathomCommand!, folder, version, log);
                    replicas.Add(replica);
                    started.Add(replica);
                }

                pools.Add(new VersionPool(version, replicas));
            }

            await Task.WhenAll(started.Select(r => r.WaitReadyAsync(_http, _options.ReadyTimeout, cancellationToken)));
            await Task.WhenAll(started.Select(r => WarmAsync(r, cancellationToken)));
            var old = _pools;
            _pools = new EndpointPools(pools, split);
            Status = "ready";
            LastError = null;
            Event($"serving version(s) {string.Join(", ", _pools.Versions)} on replicas {string.Join(", ", started.Select(r => $"{r.ProcessId}:{r.Port}"))}");
            if (old is not null)
            {
                await Task.WhenAll(old.Replicas.Select(StopAsync));
                Event($"stopped the replicas of version(s) {string.Join(", ", old.Versions)}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            foreach (var replica in started)
            {
                await replica.DisposeAsync();
            }

            LastError = e.Message;
            Status = _pools is null ? "failed" : "ready";
            Event($"swap failed, still serving {(_pools is null ? "nothing" : string.Join(", ", _pools.Versions))}: {e.Message}");
            throw;
        }
        finally
        {
            Incoming = null;
            _swap.Release();
        }
    }

    /// <summary>Stops the router and every replica (the endpoint stays in the store unless removed).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
            _app = null;
        }

        if (_pools is { } pools)
        {
            await Task.WhenAll(pools.Replicas.Select(r => r.StopAsync(TimeSpan.Zero)));
            foreach (var replica in pools.Replicas)
            {
                await replica.DisposeAsync();
            }
        }

        _pools = null;
        _swap.Dispose();
    }

    public void Event(string message)
    {
        var line = $"{_time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} {message}\n";
        lock (_swap)
        {
            Directory.CreateDirectory(Folder);
            File.AppendAllText(EventsLog, line, Encoding.UTF8);
        }
    }

    private async Task StopAsync(Replica replica)
    {
        await replica.StopAsync(_options.DrainTimeout);
        await replica.DisposeAsync();
    }

    private async Task WarmAsync(Replica replica, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _options.WarmupRequests; i++)
        {
            using var content = new StringContent(WarmupBody, Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri(replica.BaseUri, "api/v1/model/predict"), content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Replica of version {replica.Version} answered a warm-up request with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }
    }
}
