using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Fathom.Jobs;

/// <summary>
/// Runs the server's queue: queued runs, oldest first, are scheduled while the per-project and per-executor limits
/// allow, and each is driven through starting → running → succeeded | failed | stopped by a task of its own (retries
/// after a failure while <c>termination.maxRetries</c> allows, failed once <c>termination.timeout</c> has passed since
/// it first started, stopped on request). Jobs run detached (<see cref="DetachedJobProcess"/>): when the server stops,
/// they go on, and the next start finds them again (<see cref="RecoverAsync"/>).
/// </summary>
internal sealed partial class JobDispatcher(
    JobQueue queue, JobServerOptions options, IServer server, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<JobDispatcher> logger)
    : BackgroundService
{
    private static readonly JobStatus[] Unfinished =
        [JobStatus.Created, JobStatus.Scheduled, JobStatus.Starting, JobStatus.Running, JobStatus.Retrying, JobStatus.Stopping];

    private readonly List<Task> _tasks = [];

    private IJobStore Store => queue.Store;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The jobs are given the server's URL, known only once Kestrel listens.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                // The host stopped before it started (a port in use): no job was touched.
                return;
            }
        }

        queue.ServerUrl = JobsUrl(server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault());
        await RecoverAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDispatchFailed(logger, e);
            }

            try
            {
                await queue.WaitForWorkAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // The runs' tasks end without touching their jobs (they go on, detached); they are waited for so that none
        // writes to the store after the host has disposed it.
        Task[] remaining;
        lock (_tasks)
        {
            remaining = [.. _tasks];
        }

        await Task.WhenAll(remaining);
    }

    /// <summary>Schedules queued runs, oldest first, while the limits allow.</summary>
    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        // The server runs one executor (local): while it is full, a full queue is not even read.
        if (queue.Running.Count >= options.MaxRunningPerExecutor)
        {
            return;
        }

        var queued = await Store.OldestInAsync([JobStatus.Queued], 256, cancellationToken);
        foreach (var run in queued)
        {
            var byExecutor = queue.Running.Values.Count(r => r.Executor == run.Executor);
            var byProject = queue.Running.Values.Count(r => r.Project == run.Project);
            if (byExecutor >= options.MaxRunningPerExecutor || byProject >= options.MaxRunningPerProject)
            {
                continue;
            }

            // A run stopped while it waited cannot be scheduled: the store refuses the move.
            if (await Store.SetStatusAsync(run.Uuid, JobStatus.Scheduled, null, null, cancellationToken))
            {
                Track(run, null, stoppingToken: cancellationToken);
            }
        }
    }

    private void Track(JobRunRecord run, DetachedJobProcess? attached, CancellationToken stoppingToken)
    {
        var running = new RunningJob(run.Project, run.Executor);
        queue.Running[run.Uuid] = running;
        var task = Task.Run(async () =>
        {
            try
            {
                await DriveAsync(run, running, attached, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The server is stopping; the job goes on and is found again at the next start.
            }
            catch (Exception e)
            {
                LogRunFailed(logger, run.Uuid, e);
                await Store.SetStatusAsync(run.Uuid, JobStatus.Failed, $"the server could not run it: {e.Message}", null, CancellationToken.None);
            }
            finally
            {
                queue.Running.TryRemove(run.Uuid, out _);
                running.Dispose();
                queue.Wake();
            }
        }, CancellationToken.None);
        lock (_tasks)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    private static string JobsUrl(string? address)
    {
        // A server bound to every address is reached by its own jobs on loopback.
        var url = new UriBuilder(address ?? "http://127.0.0.1:5000");
        if (url.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*")
        {
            url.Host = "127.0.0.1";
        }

        return url.Uri.AbsoluteUri.TrimEnd('/');
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The job queue could not be read")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {Uuid} failed in the server")]
    private static partial void LogRunFailed(ILogger logger, string uuid, Exception exception);
}
