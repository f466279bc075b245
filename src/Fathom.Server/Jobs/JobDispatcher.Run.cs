using System.Globalization;

namespace Fathom.Jobs;

internal sealed partial class JobDispatcher
{
    /// <summary>
    /// Drives one run from scheduled (or from where a restart found it: <paramref name="attached"/> is its live
    /// attempt) to a final status. Only the server's own stop leaves it unfinished: the job runs on, detached.
    /// </summary>
    private async Task DriveAsync(JobRunRecord run, RunningJob running, DetachedJobProcess? attached, CancellationToken stoppingToken)
    {
        var uuid = run.Uuid;
        JobPlan plan;
        try
        {
            plan = queue.Plan(run).Plan;
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            await Store.SetStatusAsync(uuid, JobStatus.Failed, $"could not be compiled again: {e.Message}", null, CancellationToken.None);
            return;
        }

        var launch = plan.Launch;
        var executor = queue.Executor(run.Executor);
        var job = launch.Job;
        var retries = job.Termination?.MaxRetries ?? 0;
        var attempt = run.Attempt;
        var process = attached;

        // termination.timeout counts from the first start, which the store keeps across restarts of the server.
        using var deadline = new CancellationTokenSource();
        if (job.Termination?.Timeout is > 0 and var seconds)
        {
            var startedAt = run.StartedAt ?? time.GetUtcNow().ToUnixTimeMilliseconds();
            var left = DateTimeOffset.FromUnixTimeMilliseconds(startedAt).AddSeconds(seconds) - time.GetUtcNow();
            deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, running.Stopped, deadline.Token);
        while (true)
        {
            if (process is null)
            {
                if (running.Stopped.IsCancellationRequested)
                {
                    await StoppedAsync(uuid, running, null);
                    return;
                }

                await Store.SetStatusAsync(uuid, JobStatus.Starting, null, null, CancellationToken.None);
                Directory.CreateDirectory(launch.HostOutputsFolder);
                Directory.CreateDirectory(Path.GetDirectoryName(launch.LogFile)!);
                if (attempt > 1)
                {
                    await File.AppendAllTextAsync(launch.LogFile, $"--- attempt {attempt} of {retries + 1} ---\n", CancellationToken.None);
                }

                // A container's workingDir is inside its image: its client runs in the run's folder.
                var directory = executor is ContainerExecutor ? launch.HostRunFolder : LocalProcessExecutor.WorkingDirectory(launch);
                if (!Directory.Exists(directory))
                {
                    await FailAsync(uuid, launch.LogFile, $"run.container.workingDir: '{directory}' does not exist on the server's machine.", null);
                    return;
                }

                try
                {
                    process = DetachedJobProcess.Start(executor.CommandLine(launch), directory, launch.Environment, launch.LogFile, launch.HostRunFolder, attempt);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    await FailAsync(uuid, launch.LogFile, e.Message, null);
                    return;
                }

                await Store.SetStatusAsync(uuid, JobStatus.Running, null, null, CancellationToken.None);
            }

            int? exitCode;
            try
            {
                exitCode = await process.WaitAsync(options.WatchInterval, wait.Token);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (running.Stopped.IsCancellationRequested)
            {
                await Store.SetStatusAsync(uuid, JobStatus.Stopping, "stop requested", null, CancellationToken.None);
                await process.StopAsync(options.StopGrace);
                await RemoveContainerAsync(executor, launch);
                await StoppedAsync(uuid, running, null);
                return;
            }
            catch (OperationCanceledException)
            {
                await process.StopAsync(options.StopGrace);
                await RemoveContainerAsync(executor, launch);
                await FailAsync(uuid, launch.LogFile, $"timed out after {job.Termination!.Timeout} s (termination.timeout); the job was stopped.", null);
                return;
            }

            if (exitCode == 0)
            {
                await Store.SetStatusAsync(uuid, JobStatus.Succeeded, null, 0, CancellationToken.None);
                return;
            }

            var failure = exitCode is { } code
                ? $"exited with code {code.ToString(CultureInfo.InvariantCulture)}"
                : "ended without an exit status (its process was killed)";
            if (attempt > retries)
            {
                await Store.SetStatusAsync(uuid, JobStatus.Failed, failure, exitCode, CancellationToken.None);
                return;
            }

            await Store.SetStatusAsync(uuid, JobStatus.Retrying, $"{failure}; retrying ({attempt} of {retries} retries)", exitCode, CancellationToken.None);
            await Store.NextAttemptAsync(uuid, CancellationToken.None);
            attempt++;
            process = null;
        }
    }

    // Killing a container's client does not stop the container it started.
    private static async Task RemoveContainerAsync(IJobExecutor executor, JobLaunch launch)
    {
        if (executor is ContainerExecutor container)
        {
            await ProcessTree.RunAsync(container.RemoveCommand(launch), launch.HostRunFolder, new Dictionary<string, string>(), _ => { }, CancellationToken.None);
        }
    }

    private async Task StoppedAsync(string uuid, RunningJob running, string? reason) =>
        await Store.SetStatusAsync(uuid, JobStatus.Stopped, reason ?? (running.StoppedBy is { } user ? $"stopped by {user}" : "stopped by the user"), null, CancellationToken.None);

    private async Task FailAsync(string uuid, string logFile, string message, int? exitCode)
    {
        await File.AppendAllTextAsync(logFile, $"--- {message} ---\n", CancellationToken.None);
        await Store.SetStatusAsync(uuid, JobStatus.Failed, message, exitCode, CancellationToken.None);
    }
}
