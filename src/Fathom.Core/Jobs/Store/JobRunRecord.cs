namespace Fathom.Jobs;

/// <summary>
/// A run as the store keeps it: its project, spec (the inputs as JSON and the rendered specification), the executor
/// that ran it, its status and the times Polyaxon keeps (created, started on the first running status, finished on the
/// first final one), the exit code of the last attempt, and where its log and outputs are.
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
    string? Message);

/// <summary>One status a run went through, with when and why.</summary>
internal sealed record JobStatusChange(JobStatus Status, long At, string? Message);

/// <summary>A project: the named group runs belong to (Polyaxon's project), created on first use.</summary>
internal sealed record JobProject(string Name, string? Description, long CreatedAt, long Runs);
