namespace Fathom.Jobs;

/// <summary>
/// The job tables, one migration step of the tracking schema on each engine (registered in <c>SqliteSchema</c> and
/// <c>PostgresSchema</c>), so runs of jobs live in the same database as the tracking runs they log.
/// </summary>
internal static class JobSchema
{
    public const string Summary = "the job tables (projects, runs and their statuses)";

    public const string Sqlite = """
        CREATE TABLE job_projects (
            name TEXT NOT NULL PRIMARY KEY,
            description TEXT,
            created_at INTEGER NOT NULL);
        CREATE TABLE job_runs (
            uuid TEXT NOT NULL PRIMARY KEY,
            project TEXT NOT NULL REFERENCES job_projects(name) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            executor TEXT NOT NULL,
            spec_file TEXT,
            inputs TEXT NOT NULL,
            resolved_spec TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            exit_code INTEGER,
            log_path TEXT,
            outputs_path TEXT,
            attempt INTEGER NOT NULL DEFAULT 1,
            message TEXT);
        CREATE INDEX job_runs_by_project_created ON job_runs (project, created_at DESC);
        CREATE INDEX job_runs_by_created ON job_runs (created_at DESC);
        CREATE TABLE job_run_statuses (
            uuid TEXT NOT NULL REFERENCES job_runs(uuid) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            status TEXT NOT NULL,
            at INTEGER NOT NULL,
            message TEXT,
            PRIMARY KEY (uuid, seq)) WITHOUT ROWID;
        """;

    public const string Postgres = """
        CREATE TABLE job_projects (
            name TEXT NOT NULL PRIMARY KEY,
            description TEXT,
            created_at BIGINT NOT NULL);
        CREATE TABLE job_runs (
            uuid TEXT NOT NULL PRIMARY KEY,
            project TEXT NOT NULL REFERENCES job_projects(name) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            executor TEXT NOT NULL,
            spec_file TEXT,
            inputs TEXT NOT NULL,
            resolved_spec TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            started_at BIGINT,
            finished_at BIGINT,
            exit_code INTEGER,
            log_path TEXT,
            outputs_path TEXT,
            attempt INTEGER NOT NULL DEFAULT 1,
            message TEXT);
        CREATE INDEX job_runs_by_project_created ON job_runs (project, created_at DESC);
        CREATE INDEX job_runs_by_created ON job_runs (created_at DESC);
        CREATE TABLE job_run_statuses (
            uuid TEXT NOT NULL REFERENCES job_runs(uuid) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            status TEXT NOT NULL,
            at BIGINT NOT NULL,
            message TEXT,
            PRIMARY KEY (uuid, seq));
        """;

    public const string OwnersSummary = "who owns a project and who submitted a run (the server's queue)";

    // The server's queue: a project's owner has MANAGE on it as an experiment's creator does; who submitted a run is
    // kept for the record; the dispatcher reads the runs of a status oldest first.
    public const string SqliteOwners = """
        ALTER TABLE job_projects ADD COLUMN owner TEXT;
        ALTER TABLE job_runs ADD COLUMN submitted_by TEXT;
        CREATE INDEX job_runs_by_status_created ON job_runs (status, created_at);
        """;

    public const string PostgresOwners = SqliteOwners;

    public const string DagSummary = "the operations of a DAG: each run's parent run and the outputs it ended with";

    // A DAG's operations are runs of their own (Polyaxon's pipeline children): listed with their parent, found by it to
    // stop them with it, and their outputs kept for the downstream operations that read them (ref: ops.NAME).
    public const string SqliteDag = """
        ALTER TABLE job_runs ADD COLUMN parent_uuid TEXT;
        ALTER TABLE job_runs ADD COLUMN outputs TEXT;
        CREATE INDEX job_runs_by_parent ON job_runs (parent_uuid);
        """;

    public const string PostgresDag = SqliteDag;
}
