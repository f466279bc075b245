namespace Fathom.Jobs;

internal sealed partial class JobDispatcher
{
    /// <summary>
    /// At start, every run the last server left unfinished is found again, so none stays running for ever: a run that
    /// was only recorded goes to the queue; one that was scheduled or between attempts is started; one whose attempt
    /// had started is followed again while its process lives (same pid, same start time), or ends as its exit file says,
    /// or fails with the reason when its process is gone without one. Queued runs stay queued.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var found = await Store.OldestInAsync(Unfinished, 100_000, cancellationToken);
        foreach (var run in found)
        {
            switch (run.Status)
            {
                case JobStatus.Created:
                    await Store.SetStatusAsync(run.Uuid, JobStatus.Queued, "queued when the server started again", null, cancellationToken);
                    break;
                case JobStatus.Scheduled or JobStatus.Retrying:
                    Track(run, null, cancellationToken);
                    break;
                default:
                    await ReattachAsync(run, cancellationToken);
                    break;
            }
        }

        queue.Wake();
    }

    private async Task ReattachAsync(JobRunRecord run, CancellationToken cancellationToken)
    {
        var folder = JobQueue.RunFolder(run);
        var process = folder is null ? null : DetachedJobProcess.Reattach(folder, run.Attempt);
        if (process is null)
        {
            var exitFile = folder is null ? null : DetachedJobProcess.Files(folder, run.Attempt).ExitFile;
            if (exitFile is not null && File.Exists(exitFile))
            {
                // It ended while the server was down: the run is decided from its exit code, retries included.
                Track(run, DetachedJobProcess.Ended(exitFile), cancellationToken);
                return;
            }

            var reason = run.Status == JobStatus.Stopping
                ? null
                : "the server stopped while the run was " + run.Status.Name() + ", and its process is gone without an exit status (killed, or the machine restarted).";
            await Store.SetStatusAsync(run.Uuid, reason is null ? JobStatus.Stopped : JobStatus.Failed, reason ?? "stopped while the server was down", null, cancellationToken);
            return;
        }

        Track(run, process, cancellationToken);
        if (run.Status == JobStatus.Stopping)
        {
            // A stop asked before the server went down is carried out now.
            queue.Running[run.Uuid].RequestStop(null);
        }
    }
}
