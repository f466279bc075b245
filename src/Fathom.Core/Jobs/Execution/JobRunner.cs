using System.Text.Json;
using Fathom.Config;
using Fathom.Tracking;

namespace Fathom.Jobs;

/// <summary>
/// What to run: the file and its <c>-P</c> params, where (project, agent, store) and from where; for an operation of a
/// DAG, the DAG's run and the values of its params with <c>ref</c>, read from upstream runs.
/// </summary>
internal sealed record JobRequest(
    PolyaxonDocument Document,
    IReadOnlyDictionary<string, string> Params,
    string Project,
    AgentConfig Agent,
    StoreLocation Store,
    string CurrentDirectory,
    string Username)
{
    public string? ParentUuid { get; init; }

    public IReadOnlyDictionary<string, object?>? RefValues { get; init; }

    /// <summary>The ports a service listens on here (<see cref="ServiceEndpoint"/>), in place of its declared ones.</summary>
    public IReadOnlyList<int>? ServicePorts { get; init; }
}

/// <summary>A compiled run and how it will be launched, before anything is recorded or started.</summary>
internal sealed record JobPlan(JobLaunch Launch, IReadOnlyList<string> Notes, IReadOnlyList<string> CommandLine);

/// <summary>How a run ended: its final status, the last attempt's exit code, where its log is, and why.</summary>
internal sealed record JobOutcome(string Uuid, JobStatus Status, int? ExitCode, string LogFile, string? Message, int Attempts);

/// <summary>
/// Runs a job in the foreground and records it, as a Polyaxon agent drives a run through its lifecycle: created (with
/// the inputs and the rendered spec) → queued → scheduled → starting → running → succeeded | failed | stopped, a new
/// attempt (retrying) after a failure while <c>termination.maxRetries</c> allows, failed once <c>termination.timeout</c>
/// seconds have passed since the first start, stopping → stopped when cancelled (Ctrl-C). Each line the job prints goes
/// to the run's log file and to the caller. A server-side queue will drive the same statuses through the same store.
/// </summary>
internal sealed class JobRunner(IJobStore store, IJobExecutor executor, TimeProvider time)
{
    /// <summary>The owner Polyaxon names a local deployment's projects under.</summary>
    public const string Owner = "default";

    /// <summary>
    /// Where the server proxies a service (<c>globals.base_url</c> is this and the run's uuid): Polyaxon's
    /// <c>/services/v1/&lt;namespace&gt;/&lt;owner&gt;/&lt;project&gt;/runs/&lt;uuid&gt;</c> shortened, since a uuid names one run.
    /// </summary>
    public const string ServiceBasePath = "/services/";

    /// <summary>Compiles the request for this runner's executor: nothing is recorded or started.</summary>
    public JobPlan Plan(JobRequest request, string uuid)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var artifacts = executor.ArtifactsPath(request.Agent);
        var job = JobCompiler.Compile(request.Document, request.Params,
            (name, ports) => new JobGlobals(uuid, name, request.Project, Owner, request.Username, now,
                Path.GetDirectoryName(artifacts.TrimEnd('/')) ?? artifacts, artifacts, Ports: ports is null ? null : request.ServicePorts ?? ports,
                BaseUrl: ports is null ? null : ServiceBasePath + uuid),
            now, request.RefValues);
        if (job.Run is DagRunSpec)
        {
            throw new ConfigException(new SourcePosition(job.File, 0, 0), "run.kind",
                "a dag runs in the foreground (fathom run -f FILE without a server); the server's queue does not run DAGs yet.");
        }

        var launch = new JobLaunch(uuid, job, Environment(request, job, uuid), request.Agent,
            Path.Combine(request.Agent.ArtifactsStore.LocalPath!, uuid), request.CurrentDirectory);
        return new JobPlan(launch, executor.Notes(launch), executor.CommandLine(launch));
    }

    /// <summary>Records and runs a planned job until it ends; <paramref name="onStatus"/> hears each status it takes.</summary>
    public async Task<JobOutcome> RunAsync(JobRequest request, JobPlan plan, Action<string> output, Action<JobStatus>? onStatus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(output);
        var launch = plan.Launch;
        var job = launch.Job;
        var uuid = launch.Uuid;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.CreateRunAsync(Record(request, plan, now, null), CancellationToken.None);

        async Task<bool> Move(JobStatus status, string? message = null, int? exitCode = null)
        {
            var moved = await store.SetStatusAsync(uuid, status, message, exitCode, CancellationToken.None);
            if (moved)
            {
                onStatus?.Invoke(status);
            }

            return moved;
        }

        await Move(JobStatus.Queued);
        await Move(JobStatus.Scheduled);
        Directory.CreateDirectory(launch.HostOutputsFolder);
        Directory.CreateDirectory(Path.GetDirectoryName(launch.LogFile)!);
        await using var log = new StreamWriter(launch.LogFile, append: true) { AutoFlush = true };
        var gate = new Lock();
        void Line(string line)
        {
            lock (gate)
            {
                log.WriteLine(line);
                output(line);
            }
        }

        var retries = job.Termination?.MaxRetries ?? 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (job.Termination?.Timeout is > 0 and var seconds)
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        for (var attempt = 1; ; attempt++)
        {
            await Move(JobStatus.Starting);
            if (attempt > 1)
            {
                Line($"--- attempt {attempt} of {retries + 1} ---");
            }

            int exitCode;
            try
            {
                await Move(JobStatus.Running);
                exitCode = await executor.RunAsync(launch, Line, deadline.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Move(JobStatus.Stopping, "stop requested");
                await Move(JobStatus.Stopped, "stopped by the user");
                return new JobOutcome(uuid, JobStatus.Stopped, null, launch.LogFile, "stopped by the user", attempt);
            }
            catch (OperationCanceledException)
            {
                var message = $"timed out after {job.Termination!.Timeout} s (termination.timeout); the job was stopped.";
                Line("--- " + message + " ---");
                await Move(JobStatus.Failed, message);
                return new JobOutcome(uuid, JobStatus.Failed, null, launch.LogFile, message, attempt);
            }
            catch (Exception e) when (e is IOException or DirectoryNotFoundException or UnauthorizedAccessException or ConfigException)
            {
                Line("--- " + e.Message + " ---");
                await Move(JobStatus.Failed, e.Message);
                return new JobOutcome(uuid, JobStatus.Failed, null, launch.LogFile, e.Message, attempt);
            }

            if (exitCode == 0)
            {
                await Move(JobStatus.Succeeded, null, 0);
                return new JobOutcome(uuid, JobStatus.Succeeded, 0, launch.LogFile, null, attempt);
            }

            var failure = $"exited with code {exitCode}";
            if (attempt > retries)
            {
                await Move(JobStatus.Failed, failure, exitCode);
                return new JobOutcome(uuid, JobStatus.Failed, exitCode, launch.LogFile, failure, attempt);
            }

            await Move(JobStatus.Retrying, $"{failure}; retrying ({attempt} of {retries} retries)", exitCode);
            await store.NextAttemptAsync(uuid, CancellationToken.None);
        }
    }

    /// <summary>The record of a planned run in status created, as the store keeps it.</summary>
    public JobRunRecord Record(JobRequest request, JobPlan plan, long now, string? submittedBy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        var launch = plan.Launch;
        var job = launch.Job;
        return new JobRunRecord(
            launch.Uuid, request.Project, job.Name, job.Run.Kind, JobStatus.Created, executor.Name, request.Document.File,
            JsonSerializer.Serialize(job.Inputs), ResolvedSpec(job, plan), now, now, null, null, null, launch.LogFile, launch.HostOutputsFolder, 1, null, submittedBy, request.ParentUuid);
    }

    /// <summary>
    /// The environment a job gets on top of the executor's: the run's identity as Fathom and Polyaxon name it, where
    /// runs go (<c>FATHOM_TRACKING_URI</c>; <c>MLFLOW_TRACKING_URI</c> only for a tracking server, since MLflow's own
    /// clients cannot read Fathom's database), then the container's env and the inputs with toEnv, which win.
    /// </summary>
    private Dictionary<string, string> Environment(JobRequest request, CompiledJob job, string uuid)
    {
        var globals = job.Globals;
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FATHOM_RUN_UUID"] = uuid,
            ["FATHOM_PROJECT"] = request.Project,
            ["POLYAXON_RUN_UUID"] = uuid,
            ["POLYAXON_RUN_INSTANCE"] = $"{Owner}.{request.Project}.runs.{uuid}",
            ["POLYAXON_RUN_ARTIFACTS_PATH"] = globals.RunArtifactsPath,
            ["POLYAXON_RUN_OUTPUTS_PATH"] = globals.RunOutputsPath,
        };
        if (request.ServicePorts is [var port, ..])
        {
            env[ServiceEndpoint.PortVariable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var trackingUri = request.Store.IsRemote ? request.Store.Uri : executor is LocalProcessExecutor ? request.Store.Uri : null;
        if (trackingUri is not null)
        {
            env[StoreLocation.TrackingUriVariable] = trackingUri;
        }

        if (request.Store.IsRemote)
        {
            env[StoreLocation.MlflowTrackingUriVariable] = request.Store.Uri;
        }

        var fromSpec = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in job.Container?.Env ?? [])
        {
            if (variable.Value is not null)
            {
                fromSpec[variable.Name] = variable.Value;
            }
        }

        foreach (var (name, value) in job.InputEnvironment)
        {
            fromSpec[name] = value;
        }

        // A job that names its own MLflow server logs there: FATHOM_TRACKING_URI would take precedence in fathom.
        if (fromSpec.ContainsKey(StoreLocation.MlflowTrackingUriVariable))
        {
            env.Remove(StoreLocation.TrackingUriVariable);
        }

        foreach (var (name, value) in fromSpec)
        {
            env[name] = value;
        }

        return env;
    }

    private string ResolvedSpec(CompiledJob job, JobPlan plan) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["name"] = job.Name,
        ["description"] = job.Description,
        ["tags"] = job.Tags,
        ["inputs"] = job.Inputs,
        ["run"] = IoValues.FromNode(job.RenderedRun),
        ["termination"] = job.Termination is null ? null : new Dictionary<string, object?> { ["maxRetries"] = job.Termination.MaxRetries, ["timeout"] = job.Termination.Timeout, ["ttl"] = job.Termination.Ttl },
        ["executor"] = executor.Name,
        ["command"] = plan.CommandLine,
    });

    /// <summary>A new run id: 32 hex digits, as Polyaxon's uuids are written.</summary>
    public static string NewUuid() => Guid.NewGuid().ToString("N");
}
