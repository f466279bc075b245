namespace Fathom.Jobs;

/// <summary>
/// A run as the store keeps it: its project, spec (the inputs as JSON and the rendered specification), the executor
/// that ran it, its status and the times Polyaxon keeps (created, started on the first running status, finished on the
/// first final one), the exit code of the last attempt, where its log and outputs are, and who submitted it (the
/// signed-in user on a server with auth; null otherwise); for an operation of a DAG, the DAG's run (Polyaxon's
/// pipeline) and the outputs it ended with, which its downstream operations read through <c>ref: ops.NAME</c>.
/// </summary>
internal sealed record JobRunRecord(
    string Uuid,
    string Project,
    string Name,
    string Kind,
    JobStatus Status,
    string Executor,
    string? SpecFile,
    string InputsJson,
    string ResolvedSpec,
    long CreatedAt,
    long UpdatedAt,
    long? StartedAt,
    long? FinishedAt,
    int? ExitCode,
    string? LogPath,
    string? OutputsPath,
    int Attempt,
    string? Message,
    string? SubmittedBy = null,
    string? ParentUuid = null,
    string? OutputsJson = null);

/// <summary>One status a run went through, with when and why.</summary>
internal sealed record JobStatusChange(JobStatus Status, long At, string? Message);

/// <summary>
/// A project: the named group runs belong to (Polyaxon's project), created on first use; its owner (who created it on a
/// server with auth) has MANAGE on it, as an experiment's creator does.
/// </summary>
internal sealed record JobProject(string Name, string? Description, long CreatedAt, long Runs, string? Owner = null);
