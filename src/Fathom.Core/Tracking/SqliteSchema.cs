using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fathom.Tracking;

/// <summary>
/// Versioned migrations of the SQLite tracking schema. Each step runs once, in order, inside one transaction,
/// and is recorded in <c>fathom_schema</c>; a database from a newer Fathom is refused rather than misread.
/// The tables follow MLflow's SQL store so its search semantics translate to indexed SQL.
/// </summary>
internal static class SqliteSchema
{
    private static readonly SchemaMigration[] Migrations =
    [
        // 1: experiments, runs and their data.
        new("""
        CREATE TABLE experiments (
            experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            artifact_location TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL DEFAULT 'active',
            creation_time INTEGER NOT NULL,
            last_update_time INTEGER NOT NULL);
        CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)) WITHOUT ROWID;
        CREATE TABLE runs (
            run_uuid TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time INTEGER NOT NULL,
            end_time INTEGER,
            deleted_time INTEGER,
            lifecycle_stage TEXT NOT NULL,
            artifact_uri TEXT NOT NULL);
        CREATE INDEX runs_by_experiment_start ON runs (experiment_id, start_time DESC, run_uuid);
        CREATE TABLE params (
            run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_uuid, key)) WITHOUT ROWID;
        CREATE TABLE tags (
            run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_uuid, key)) WITHOUT ROWID;
        -- The full history. The key mirrors MLflow's: an exact duplicate point is ignored, and a range scan
        -- on (run, key) returns the history already in get-history order.
        CREATE TABLE metrics (
            run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
            key TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL,
            value REAL NOT NULL,
            is_nan INTEGER NOT NULL,
            PRIMARY KEY (run_uuid, key, timestamp, step, value, is_nan)) WITHOUT ROWID;
        -- The latest point per key (max of step, timestamp, value), kept on write so reading a run or
        -- filtering runs on a metric never scans the history.
        CREATE TABLE latest_metrics (
            run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value REAL NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL,
            is_nan INTEGER NOT NULL,
            PRIMARY KEY (run_uuid, key)) WITHOUT ROWID;
        CREATE INDEX latest_metrics_by_key_value ON latest_metrics (key, value);
        CREATE TABLE datasets (
            dataset_uuid TEXT NOT NULL PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            source_type TEXT NOT NULL,
            source TEXT NOT NULL,
            schema TEXT,
            profile TEXT,
            UNIQUE (experiment_id, name, digest));
        CREATE TABLE inputs (
            run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
            dataset_uuid TEXT NOT NULL REFERENCES datasets(dataset_uuid) ON DELETE CASCADE,
            tags TEXT NOT NULL,
            PRIMARY KEY (run_uuid, dataset_uuid)) WITHOUT ROWID;
        """, "experiments, runs and their data"),

        // The model registry (MLflow's registry tables). Names cascade on rename and delete through the foreign
        // keys; a deleted version keeps its row in stage 'Deleted_Internal' so its number is never handed out again.
        new("""
        CREATE TABLE registered_models (
            name TEXT NOT NULL PRIMARY KEY,
            creation_time INTEGER NOT NULL,
            last_updated_time INTEGER NOT NULL,
            description TEXT);
        CREATE INDEX registered_models_by_update ON registered_models (last_updated_time);
        CREATE TABLE registered_model_tags (
            name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, key)) WITHOUT ROWID;
        CREATE TABLE model_versions (
            name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
            version INTEGER NOT NULL,
            creation_time INTEGER NOT NULL,
            last_updated_time INTEGER NOT NULL,
            description TEXT,
            user_id TEXT,
            current_stage TEXT NOT NULL,
            source TEXT NOT NULL,
            storage_location TEXT,
            run_id TEXT,
            run_link TEXT,
            status TEXT NOT NULL,
            status_message TEXT,
            PRIMARY KEY (name, version)) WITHOUT ROWID;
        CREATE INDEX model_versions_by_run ON model_versions (run_id);
        CREATE INDEX model_versions_by_update ON model_versions (last_updated_time);
        CREATE TABLE model_version_tags (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, version, key),
            FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE) WITHOUT ROWID;
        CREATE TABLE registered_model_aliases (
            name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (name, alias)) WITHOUT ROWID;
        CREATE INDEX registered_model_aliases_by_version ON registered_model_aliases (name, version);
        """, "the model registry"),

        // SearchDatasets (the UI's data-set list) finds an experiment's data sets by the datasets table's
        // (experiment_id, name, digest) key, then the inputs that used each one: the inputs key starts with run_uuid,
        // so without this index every data set meant a scan of all inputs.
        new("CREATE INDEX inputs_by_dataset ON inputs (dataset_uuid);", "indexing the run inputs by data set", "inputs"),

        // Traces (MLflow's tracing API, v2): MLflow's trace_info, trace_tags and trace_request_metadata tables. A
        // search lists an experiment's traces newest first, then by id: the index serves that order and the paging.
        new("""
        CREATE TABLE trace_info (
            request_id TEXT NOT NULL PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
            timestamp_ms INTEGER NOT NULL,
            execution_time_ms INTEGER,
            status TEXT NOT NULL);
        CREATE INDEX trace_info_by_experiment_time ON trace_info (experiment_id, timestamp_ms DESC, request_id);
        CREATE TABLE trace_tags (
            request_id TEXT NOT NULL REFERENCES trace_info(request_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (request_id, key)) WITHOUT ROWID;
        CREATE TABLE trace_request_metadata (
            request_id TEXT NOT NULL REFERENCES trace_info(request_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (request_id, key)) WITHOUT ROWID;
        """, "traces"),

        // Runs of jobs (fathom run) beside the tracking runs they log.
        new(Jobs.JobSchema.Sqlite, Jobs.JobSchema.Summary),

        // Tuning studies (fathom tune), in the shape of Optuna's RDB storage; the tuning_ prefix keeps them apart from
        // Optuna's own tables should both share a database. See Tuning/Studies/StudyStore.
        new(Tuning.StudySchema.Sqlite, "the tuning studies"),

        // Logged models (MLflow 3's LoggedModel API): MLflow's logged_models tables. A model is soft-deleted through its
        // lifecycle stage; a search lists an experiment's models newest first, then by id, which the index serves.
        // Metric points linked to a model keep their run and data set; NaN is kept as NULL (SQLite stores NaN as NULL).
        // A run's model outputs (LogOutputs) are kept with the step they were produced at.
        new("""
        CREATE TABLE logged_models (
            model_id TEXT NOT NULL PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            artifact_location TEXT NOT NULL,
            creation_timestamp_ms INTEGER NOT NULL,
            last_updated_timestamp_ms INTEGER NOT NULL,
            status TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            model_type TEXT,
            source_run_id TEXT,
            status_message TEXT);
        CREATE INDEX logged_models_by_experiment_time ON logged_models (experiment_id, creation_timestamp_ms DESC, model_id);
        CREATE TABLE logged_model_tags (
            model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)) WITHOUT ROWID;
        CREATE TABLE logged_model_params (
            model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)) WITHOUT ROWID;
        CREATE TABLE logged_model_metrics (
            model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL,
            run_id TEXT NOT NULL,
            dataset_name TEXT NOT NULL,
            dataset_digest TEXT NOT NULL,
            value REAL,
            PRIMARY KEY (model_id, key, timestamp, step, run_id, dataset_name, dataset_digest)) WITHOUT ROWID;
        CREATE TABLE run_model_outputs (
            run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
            model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
            step INTEGER NOT NULL,
            PRIMARY KEY (run_uuid, model_id)) WITHOUT ROWID;
        """, "logged models"),
        // Project owners and run submitters, for the server's job queue.
        new(Jobs.JobSchema.SqliteOwners, Jobs.JobSchema.OwnersSummary),
        // The operations of a DAG: parent run and outputs.
        new(Jobs.JobSchema.SqliteDag, Jobs.JobSchema.DagSummary),
        // Every move of a registered model's aliases and stages: who, when, from and to (fathom models history).
        new("""
        CREATE TABLE registered_model_alias_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            action TEXT NOT NULL,
            from_version INTEGER,
            to_version INTEGER,
            user_id TEXT,
            timestamp INTEGER NOT NULL);
        CREATE INDEX registered_model_alias_history_by_target ON registered_model_alias_history (name, kind, target, id);
        """, "alias history"),
        // Named endpoints the server runs and starts again after a restart (fathom endpoints).
        new("""
        CREATE TABLE endpoints (
            name TEXT NOT NULL PRIMARY KEY,
            model_uri TEXT NOT NULL,
            target TEXT NOT NULL,
            replicas INTEGER NOT NULL,
            port INTEGER NOT NULL,
            traffic TEXT,
            created_by TEXT,
            creation_time INTEGER NOT NULL,
            last_updated_time INTEGER NOT NULL);
        """, "endpoints"),
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;

    /// <summary>
    /// Applies the migrations the database lacks up to <paramref name="target"/> (tests stop early to build an older
    /// Fathom's store), saying on <paramref name="logger"/> before each step that rewrites or indexes existing rows;
    /// returns the version it found.
    /// </summary>
    public static int Migrate(SqliteConnection connection, long nowMs, string defaultArtifactRoot, int target, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        // WAL lets readers work while a writer commits; the setting is stored in the database file.
        Execute(connection, "PRAGMA journal_mode=WAL;");
        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, "CREATE TABLE IF NOT EXISTS fathom_schema (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL);", transaction);

        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM fathom_schema;";
        var found = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (found > Migrations.Length)
        {
            throw new TrackingException(
                ErrorCode.InternalError,
                $"The tracking database '{connection.DataSource}' has schema version {found}, newer than this Fathom understands ({Migrations.Length}). Upgrade Fathom.");
        }

        var started = time.GetTimestamp();
        for (var version = found + 1; version <= target; version++)
        {
            var migration = Migrations[version - 1];
            // A new store has nothing to rebuild; an old one says what it is about to index and how big it is.
            if (found > 0 && migration.Tables.Count > 0 && logger.IsEnabled(LogLevel.Information))
            {
                var rows = MigrationLog.Rows(migration.Tables.Select(table => (table, (long?)CountRows(connection, transaction, table))));
                MigrationLog.Step(logger, "SQLite", version, migration.Summary, rows);
            }

            Execute(connection, migration.Sql, transaction);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO fathom_schema (version, applied_at) VALUES ($v, $t);";
            record.Parameters.AddWithValue("$v", version);
            record.Parameters.AddWithValue("$t", nowMs);
            record.ExecuteNonQuery();
            if (version == 1)
            {
                CreateDefaultExperiment(connection, transaction, nowMs, defaultArtifactRoot);
            }
        }

        transaction.Commit();
        if (found > 0 && found < target && logger.IsEnabled(LogLevel.Information))
        {
            var elapsedMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
            MigrationLog.Done(logger, "SQLite", found, target, elapsedMs);
        }

        return found;
    }

    // SQLite keeps no row estimate unless ANALYZE ran; counting walks the table's smallest index, far cheaper than the
    // index build it announces.
    private static long CountRows(SqliteConnection connection, SqliteTransaction transaction, string table)
    {
        using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = $"SELECT COUNT(*) FROM {table};";
        return Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    // MLflow always has experiment "0" named "Default".
    private static void CreateDefaultExperiment(SqliteConnection connection, SqliteTransaction transaction, long nowMs, string root)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
            VALUES (0, 'Default', $location, 'active', $t, $t);
            """;
        command.Parameters.AddWithValue("$location", ArtifactLocations.Join(root, "0"));
        command.Parameters.AddWithValue("$t", nowMs);
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
