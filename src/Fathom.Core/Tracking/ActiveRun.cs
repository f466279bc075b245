using Fathom.Storage;

namespace Fathom.Tracking;

/// <summary>
/// A run in progress. Logging calls are cheap: they queue and return, and a background writer stores the data
/// in batches. <see cref="EndAsync"/> flushes everything and sets the final status.
/// </summary>
public sealed class ActiveRun : IAsyncDisposable
{
    private readonly TrackingClient _client;
    private readonly RunLogWriter _writer;
    private readonly Dictionary<string, string> _params = new(StringComparer.Ordinal);
    private readonly Lock _paramsLock = new();
    private int _ended;

    internal ActiveRun(TrackingClient client, RunInfo info)
    {
        _client = client;
        Info = info;
        _writer = new RunLogWriter(client.Store, info.RunId);
        Artifacts = client.Artifacts.Resolve(info.ArtifactUri);
        ActiveRunRegistry.Add(this);
    }

    /// <summary>The run as it was created.</summary>
    public RunInfo Info { get; }

    /// <summary>The run id (32 hex characters).</summary>
    public string RunId => Info.RunId;

    /// <summary>The run's artifact store.</summary>
    public IArtifactStore Artifacts { get; }

    internal TrackingClient Client => _client;

    internal bool IsEnded => Volatile.Read(ref _ended) == 1;

    /// <summary>
    /// Logs a param. Params are write-once: logging a key again with another value throws at once. A value over 6,000
    /// characters is stored shortened, as MLflow stores it.
    /// </summary>
    public void LogParam(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        TrackingValidation.ValidateKey(key, "parameter");
        // Shortened here as the store shortens it, so the write-once check below compares what is stored.
        value = TrackingValidation.LimitValue(value, TrackingValidation.MaxParamValueLength, "Param value", TrackingValidation.TruncateLongValues);
        lock (_paramsLock)
        {
            if (_params.TryGetValue(key, out var old))
            {
                if (old != value)
                {
                    throw TrackingException.Invalid($"Changing param values is not allowed. Param with key='{key}' was already logged with value='{old}' for run ID='{RunId}'. Attempted logging new value '{value}'.");
                }

                return;
            }

            _params[key] = value;
        }

        _writer.Enqueue(new Param(key, value));
    }

    /// <summary>Logs several params.</summary>
    public void LogParams(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (key, value) in parameters)
        {
            LogParam(key, value);
        }
    }

    /// <summary>Appends a point to a metric's history; the timestamp defaults to now.</summary>
    public void LogMetric(string key, double value, long step = 0, long? timestamp = null)
    {
        TrackingValidation.ValidateKey(key, "metric");
        _writer.Enqueue(new Metric(key, value, timestamp ?? _client.Time.GetUtcNow().ToUnixTimeMilliseconds(), step));
    }

    /// <summary>Logs several metrics at one step.</summary>
    public void LogMetrics(IEnumerable<KeyValuePair<string, double>> metrics, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var now = _client.Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (key, value) in metrics)
        {
            LogMetric(key, value, step, now);
        }
    }

    /// <summary>Sets a tag; the last value wins. A value over 8,000 characters is stored shortened, as MLflow stores it.</summary>
    public void SetTag(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        TrackingValidation.ValidateKey(key, "tag");
        value = TrackingValidation.LimitValue(value, TrackingValidation.MaxRunTagValueLength, "value", TrackingValidation.TruncateLongValues);
        _writer.Enqueue(new Tag(key, value));
    }

    /// <summary>Waits until everything logged so far is stored.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _writer.FlushAsync(cancellationToken);

    /// <summary>
    /// Stores a local file or folder, as MLflow's <c>log_artifact</c>/<c>log_artifacts</c>: a file goes to
    /// <c>&lt;artifactPath&gt;/&lt;file name&gt;</c>, a folder's contents go below <paramref name="artifactPath"/>.
    /// </summary>
    public async Task LogArtifactAsync(string localPath, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        if (Directory.Exists(localPath))
        {
            await Artifacts.UploadDirectoryAsync(localPath, artifactPath, cancellationToken);
        }
        else if (File.Exists(localPath))
        {
            await Artifacts.UploadFileAsync(localPath, ArtifactPaths.Combine(artifactPath, Path.GetFileName(localPath)), cancellationToken);
        }
        else
        {
            throw new FileNotFoundException($"Cannot log artifact '{localPath}': no such file or folder.", localPath);
        }
    }

    /// <summary>Flushes pending data and ends the run with <paramref name="status"/>. Ending twice does nothing.</summary>
    public async Task EndAsync(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        ActiveRunRegistry.Remove(this);
        Exception? flushError = null;
        try
        {
            await _writer.FlushAsync(cancellationToken);
        }
        catch (TrackingException e)
        {
            flushError = e;
            status = RunStatus.Failed;
        }
        finally
        {
            await _writer.DisposeAsync();
        }

        await _client.Store.UpdateRunAsync(RunId, status, _client.Time.GetUtcNow().ToUnixTimeMilliseconds(), null, cancellationToken);
        if (flushError is not null)
        {
            throw flushError;
        }
    }

    /// <summary>Ends the run as FAILED, recording the error's type and message as tag <c>fathom.error</c>.</summary>
    public async Task FailAsync(Exception error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (IsEnded)
        {
            return;
        }

        var message = $"{error.GetType().Name}: {error.Message}";
        try
        {
            SetTag(SystemTags.Error, message.Length > TrackingValidation.MaxRunTagValueLength ? message[..TrackingValidation.MaxRunTagValueLength] : message);
        }
        catch (TrackingException)
        {
            // The writer already failed; the status below still records the failure.
        }

        try
        {
            await EndAsync(RunStatus.Failed, cancellationToken);
        }
        catch (TrackingException)
        {
            // Ending reports earlier write failures; the run is FAILED either way.
        }
    }

    /// <summary>Ends the run as FINISHED if it was not ended (MLflow ends a dangling run that way at exit).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsEnded)
        {
            await EndAsync(RunStatus.Finished, CancellationToken.None);
        }
    }
}
