using System.Collections.Concurrent;
using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Jobs;

/// <summary>What a client submits: the polyaxonfile's text and its params, where it runs, and who asks.</summary>
internal sealed record JobSubmission(
    string Content,
    string FileName,
    IReadOnlyDictionary<string, string> Params,
    string Project,
    string Executor,
    string? Directory,
    string? Username);

/// <summary>
/// The server's queue of job runs, kept in the job store: a submission is compiled (a bad file or param is refused and
/// leaves nothing behind), its source saved in the run's folder so the run can be compiled again when it is dispatched
/// (after a server restart too) or restarted, and recorded created → queued. The dispatcher (<see cref="JobDispatcher"/>)
/// takes queued runs from the store; stop requests reach the runs it is running through this class.
/// </summary>
internal sealed class JobQueue(IJobStore store, AgentConfig agent, TimeProvider time) : IDisposable
{
    private const string SourceFolder = "source";
    private const string SubmissionFile = "submission.json";

    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<string, RunningJob> _running = new(StringComparer.Ordinal);

    /// <summary>The server's own URL as jobs reach it (<c>FATHOM_TRACKING_URI</c>, <c>MLFLOW_TRACKING_URI</c>); set once it listens.</summary>
    public string? ServerUrl { get; set; }

    public IJobStore Store => store;

    public AgentConfig Agent => agent;

    /// <summary>The runs the dispatcher is running or watching now.</summary>
    public ConcurrentDictionary<string, RunningJob> Running => _running;

    /// <summary>Compiles and records a submission; the run is queued when this returns.</summary>
    public async Task<JobRunRecord> SubmitAsync(JobSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        _ = Executor(submission.Executor);

        // The name becomes a file of the run's folder: a plain name only, never a path.
        if (submission.FileName.Length is 0 or > 255 || submission.FileName.StartsWith('.')
            || submission.FileName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw TrackingException.Invalid($"file_name: '{submission.FileName}' is not a plain file name (letters, digits, '-', '_', '.'; not starting with '.').");
        }

        var uuid = JobRunner.NewUuid();
        var (request, plan, runner) = Plan(submission, uuid);
        var folder = plan.Launch.HostRunFolder;
        Directory.CreateDirectory(Path.Combine(folder, SourceFolder));
        await File.WriteAllTextAsync(Path.Combine(folder, SourceFolder, submission.FileName), submission.Content, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, SourceFolder, SubmissionFile), JsonSerializer.Serialize(submission with { Content = "" }), cancellationToken);
        var record = runner.Record(request, plan, time.GetUtcNow().ToUnixTimeMilliseconds(), submission.Username);
        await store.CreateRunAsync(record, cancellationToken);
        await store.SetStatusAsync(uuid, JobStatus.Queued, null, null, cancellationToken);
        Wake();
        return (await store.GetRunAsync(uuid, cancellationToken))!;
    }

    /// <summary>A new run with the same file, params and place as <paramref name="run"/> (Polyaxon's restart: a copy).</summary>
    public Task<JobRunRecord> RestartAsync(JobRunRecord run, string? username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var submission = ReadSubmission(run) ?? throw TrackingException.Invalid($"Run {run.Uuid} was not submitted to the server (its source is not kept); run its file again.");
        return SubmitAsync(submission with { Username = username ?? submission.Username }, cancellationToken);
    }

    /// <summary>
    /// Stops a run: one the dispatcher runs is signalled (its process group is stopped, then it is recorded stopped);
    /// one that waits in the queue is stopped at once. False when the run had already ended.
    /// </summary>
    public async Task<bool> StopAsync(JobRunRecord run, string? username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (_running.TryGetValue(run.Uuid, out var running))
        {
            running.RequestStop(username);
            return true;
        }

        return await store.SetStatusAsync(run.Uuid, JobStatus.Stopped, username is null ? "stopped before it started" : $"stopped by {username} before it started", null, cancellationToken);
    }

    public void Dispose() => _wake.Dispose();

    /// <summary>Tells the dispatcher to look at the queue now.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Waits for <see cref="Wake"/> or <paramref name="poll"/>, whichever comes first.</summary>
    public async Task WaitForWorkAsync(TimeSpan poll, CancellationToken cancellationToken) => await _wake.WaitAsync(poll, cancellationToken);

    /// <summary>Compiles a submitted run again (dispatch, re-attach): the same file and params give the same job.</summary>
    public (JobRequest Request, JobPlan Plan, JobRunner Runner) Plan(JobRunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var submission = ReadSubmission(run) ?? throw new IOException($"the run's source (its {SourceFolder}/{SubmissionFile}) is missing from its folder.");
        return Plan(submission, run.Uuid);
    }

    /// <summary>The run's folder (artifacts/&lt;uuid&gt;), from its outputs folder.</summary>
    public static string? RunFolder(JobRunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.OutputsPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(run.OutputsPath));
    }

    /// <summary>
    /// The executor a run names: local, or container with the runtime and flags of the agent configuration (else of the
    /// server's environment); anything else is refused naming the field.
    /// </summary>
    public IJobExecutor Executor(string name) => name switch
    {
        "local" => new LocalProcessExecutor(),
        "container" => ContainerExecutor.Create(agent, Environment.GetEnvironmentVariable)
            ?? throw TrackingException.Invalid("executor: 'container' needs podman or docker on the server's PATH (or container.runtime in its agent configuration)."),
        _ => throw TrackingException.Invalid($"executor: '{name}' does not run on the server; 'local' and 'container' do."),
    };

    private (JobRequest, JobPlan, JobRunner) Plan(JobSubmission submission, string uuid)
    {
        var runner = new JobRunner(store, Executor(submission.Executor), time);
        var document = PolyaxonReader.Read(submission.Content, submission.FileName);
        var directory = submission.Directory ?? Path.Combine(agent.ArtifactsStore.LocalPath!, uuid, "outputs");
        var location = StoreLocation.Parse(ServerUrl ?? "http://127.0.0.1/", "/");
        var request = new JobRequest(document, submission.Params, submission.Project, agent, location, directory, submission.Username ?? Environment.UserName);
        // A service listens on loopback ports of its own, chosen once and kept in its folder for the proxy and restarts.
        if (JobCompiler.Resolve(document).Component.Run is ServiceRunSpec service)
        {
            request = request with { ServicePorts = ServiceEndpoint.For(Path.Combine(agent.ArtifactsStore.LocalPath!, uuid), service).Ports };
        }

        return (request, runner.Plan(request, uuid), runner);
    }

    private static JobSubmission? ReadSubmission(JobRunRecord run)
    {
        if (RunFolder(run) is not { } folder || !File.Exists(Path.Combine(folder, SourceFolder, SubmissionFile)))
        {
            return null;
        }

        var saved = JsonSerializer.Deserialize<JobSubmission>(File.ReadAllText(Path.Combine(folder, SourceFolder, SubmissionFile)))!;
        var source = Path.Combine(folder, SourceFolder, Path.GetFileName(saved.FileName));
        return saved with { Content = File.ReadAllText(source) };
    }
}

/// <summary>A run the dispatcher is running: its project and executor (for the limits) and how to ask it to stop.</summary>
internal sealed class RunningJob(string project, string executor) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public string Project => project;

    public string Executor => executor;

    public CancellationToken Stopped => _stop.Token;

    /// <summary>Who asked it to stop (null: a client without a name, auth off).</summary>
    public string? StoppedBy { get; private set; }

    public void RequestStop(string? username)
    {
        StoppedBy = username;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
    }

    public void Dispose() => _stop.Dispose();
}
