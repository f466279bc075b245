namespace Fathom.Jobs;

/// <summary>
/// Where runs of jobs are recorded: the same database as tracking (SQLite by default, PostgreSQL through the same SQL
/// over its dialect). A server-side queue and the REST API will write through this same interface.
/// </summary>
internal interface IJobStore : IAsyncDisposable
{
    /// <summary>Creates a project; fails with <see cref="Tracking.ErrorCode.ResourceAlreadyExists"/> when the name is taken.</summary>
    Task<JobProject> CreateProjectAsync(string name, string? description, string? owner, CancellationToken cancellationToken);

    Task<JobProject?> GetProjectAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<JobProject>> ListProjectsAsync(CancellationToken cancellationToken);

    /// <summary>Records a new run in status created (its project is created if it does not exist).</summary>
    Task CreateRunAsync(JobRunRecord run, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a run to <paramref name="status"/> when the lifecycle allows it (<see cref="JobStatuses.CanMove"/>), setting
    /// started/finished times and the exit code; false when the move is not allowed (the run is left as it was).
    /// </summary>
    Task<bool> SetStatusAsync(string uuid, JobStatus status, string? message, int? exitCode, CancellationToken cancellationToken);

    /// <summary>Starts the next attempt of a run (retries): its attempt number goes up by one.</summary>
    Task NextAttemptAsync(string uuid, CancellationToken cancellationToken);

    /// <summary>Keeps the outputs a run ended with (a JSON object), for the DAG operations downstream of it.</summary>
    Task SetOutputsAsync(string uuid, string outputsJson, CancellationToken cancellationToken);

    /// <summary>The operations of a DAG's run, oldest first.</summary>
    Task<IReadOnlyList<JobRunRecord>> ChildrenAsync(string parentUuid, CancellationToken cancellationToken);

    /// <summary>The run whose uuid is, or starts with, <paramref name="uuidOrPrefix"/> (at least 4 characters and unambiguous).</summary>
    Task<JobRunRecord?> GetRunAsync(string uuidOrPrefix, CancellationToken cancellationToken);

    /// <summary>Runs newest first, of one project or all.</summary>
    Task<IReadOnlyList<JobRunRecord>> ListRunsAsync(string? project, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// A page of runs, newest first: of one project or all, only in <paramref name="statuses"/> when any are given,
    /// skipping <paramref name="offset"/>.
    /// </summary>
    Task<IReadOnlyList<JobRunRecord>> PageRunsAsync(string? project, IReadOnlyCollection<JobStatus> statuses, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Runs in one of <paramref name="statuses"/>, oldest first (the dispatcher's queue order).</summary>
    Task<IReadOnlyList<JobRunRecord>> OldestInAsync(IReadOnlyCollection<JobStatus> statuses, int limit, CancellationToken cancellationToken);

    /// <summary>The statuses a run went through, oldest first.</summary>
    Task<IReadOnlyList<JobStatusChange>> StatusesAsync(string uuid, CancellationToken cancellationToken);

    /// <summary>Deletes a run and its statuses; false when there is no such run.</summary>
    Task<bool> DeleteRunAsync(string uuid, CancellationToken cancellationToken);
}
