using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class SqliteTrackingStoreTests : TrackingStoreCompliance, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<ITrackingStore> CreateStoreAsync() =>
        Task.FromResult(new TrackingStores().Open(StoreLocation.Parse(_dir.Path, "/")));

    [Fact]
    public async Task Reopen_ExistingStore_KeepsDataAndDoesNotMigrateAgain()
    {
        var run = await Store.CreateRunAsync(new CreateRunRequest("0", "kept", "alice", 1000, []), Ct);
        await Store.DisposeAsync();

        await using var reopened = new TrackingStores().Open(StoreLocation.Parse(_dir.Path, "/"));

        Assert.Equal("kept", (await reopened.GetRunAsync(run.RunId, Ct))!.Info.RunName);
    }

    [Fact]
    public async Task Open_DatabaseFromNewerFathom_IsRefused()
    {
        await Store.DisposeAsync();
        var db = Path.Combine(_dir.Path, StoreLocation.DatabaseFileName);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO fathom_schema VALUES (999, 0);";
            await command.ExecuteNonQueryAsync();
        }

        var error = Assert.Throws<TrackingException>(() => new TrackingStores().Open(StoreLocation.Parse(_dir.Path, "/")));
        Assert.Contains("newer than this Fathom understands", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_StoreLeftBySchemaVersion2_SaysWhatTheUpgradeIndexes_ThenSearchDatasetsUsesTheIndex()
    {
        var db = Path.Combine(_dir.Path, "older", StoreLocation.DatabaseFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(db)!);
        await using (var older = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
        {
            // The store as a Fathom before the inputs index left it, with a run that used two data sets.
            await older.OpenAsync();
            SqliteSchema.Migrate(older, 1, "file:///tmp/x", 2, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            await using var seed = older.CreateCommand();
            seed.CommandText = """
                INSERT INTO runs VALUES ('r1', 'old', 0, 'alice', 'RUNNING', 1, NULL, NULL, 'active', 'file:///tmp/x/0/r1/artifacts');
                INSERT INTO datasets VALUES ('d1', 0, 'imdb', 'abc', 'local', '{}', NULL, NULL), ('d2', 0, 'news', 'def', 'local', '{}', NULL, NULL);
                INSERT INTO inputs VALUES ('r1', 'd1', '[["mlflow.data.context","training"]]'), ('r1', 'd2', '[]');
                """;
            await seed.ExecuteNonQueryAsync();
        }

        var log = new RecordingLogger();
        await using var store = SqliteTrackingStore.Open(db, "file:///tmp/x", TimeProvider.System, log);
        var summaries = await store.SearchDatasetsAsync([0], 10, Ct);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        var query = DatasetSummarySql.Query(SqliteDialect.Instance, [0], 10);
        explain.CommandText = "EXPLAIN QUERY PLAN " + query.Sql;
        foreach (var (name, value) in query.Parameters)
        {
            explain.Parameters.AddWithValue(name, value);
        }

        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Equal(2, log.Messages.Count);
        Assert.Equal(
            "Upgrading the SQLite tracking store to schema version 3: indexing the run inputs by data set (rows: inputs ≈ 2); this can take a while on a large store",
            log.Messages[0]);
        Assert.StartsWith($"Upgraded the SQLite tracking store from schema version 2 to {SqliteSchema.LatestVersion} in ", log.Messages[1], StringComparison.Ordinal);
        Assert.Equal([new DatasetSummary("0", "imdb", "abc", "training"), new DatasetSummary("0", "news", "def", null)], summaries);
        Assert.Contains(plan, step => step.Contains("inputs_by_dataset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SearchRuns_FilterOnMetricAndParam_WalksTheRunsNewestFirstAndLooksEachClauseUp()
    {
        // Without ANALYZE's statistics SQLite would drive such a search from latest_metrics_by_key_value and sort every
        // match (1.5 s at 100,000 runs); the plan must walk the runs by their index and stop after a page.
        var plan = await QueryPlanAsync(SearchSql.Runs(SqliteDialect.Instance, new RunSearch(["0"], MaxResults: 100, Filter: "metrics.acc > 0.4 and params.model != 'lr' and tags.team = 'nlp'"))!.Page());

        Assert.StartsWith("SEARCH r USING INDEX runs_by_experiment_start", plan[0], StringComparison.Ordinal);
        Assert.All(plan.Skip(1), step => Assert.Contains("USING PRIMARY KEY", step, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SearchRuns_SortedByAMetric_WalksTheMetricIndexAndSortsOnlyThePage()
    {
        // Sorting every run by the metric took 0.1–0.7 s at 100,000 runs; the bound walks (key, value) in order and
        // stops after a page, and the page then reads only the runs within the bound by a range of the same index.
        var search = SearchSql.Runs(SqliteDialect.Instance, new RunSearch(["0"], MaxResults: 100, Filter: "params.model != 'lr'", OrderBy: ["metrics.acc DESC"]))!;

        var walkEnd = await QueryPlanAsync(search.WalkEndQuery!);
        var bound = await QueryPlanAsync(search.BoundQuery(0.1)!);
        var page = await QueryPlanAsync(search.Page(0.5));

        Assert.Equal(["SEARCH latest_metrics USING COVERING INDEX latest_metrics_by_key_value (key=?)"], walkEnd);
        Assert.StartsWith("SEARCH b", bound[0], StringComparison.Ordinal);
        Assert.Contains("latest_metrics_by_key_value (key=? AND value>?)", bound[0], StringComparison.Ordinal);
        Assert.DoesNotContain(bound, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.Contains("latest_metrics_by_key_value (key=? AND value>?)", page[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchRuns_BoundOfAMetricSort_LooksNoFurtherThanTheWalkEnd()
    {
        // Runs r0..r9 with acc 0.0..0.9; the second-best is the bound of a one-run page sorted best first.
        for (var i = 0; i < 10; i++)
        {
            var run = await Store.CreateRunAsync(new CreateRunRequest("0", $"r{i}", "alice", i, []), Ct);
            await Store.LogBatchAsync(run.RunId, [new Metric("acc", i / 10.0, i, 0)], [], [], Ct);
        }

        var search = SearchSql.Runs(SqliteDialect.Instance, new RunSearch(["0"], MaxResults: 1, OrderBy: ["metrics.acc DESC"]))!;

        Assert.Equal(0.8, await ScalarAsync(search.BoundQuery(null)!));
        Assert.Equal(0.8, await ScalarAsync(search.BoundQuery(0.8)!));
        Assert.Null(await ScalarAsync(search.BoundQuery(0.85)!));
        Assert.Equal(0.5, await ScalarAsync(SearchSql.MetricWalkEnd(SqliteDialect.Instance, search.Orders, 4)!));
    }

    private async Task<object?> ScalarAsync(SqlQuery query)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir.Path, StoreLocation.DatabaseFileName)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = query.Sql;
        foreach (var (name, value) in query.Parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    private async Task<List<string>> QueryPlanAsync(SqlQuery query)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir.Path, StoreLocation.DatabaseFileName)};Pooling=False");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + query.Sql;
        foreach (var (name, value) in query.Parameters)
        {
            explain.Parameters.AddWithValue(name, value);
        }

        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }

    [Fact]
    public async Task Open_NewStore_LogsNoUpgrade()
    {
        var log = new RecordingLogger();

        await using var store = SqliteTrackingStore.Open(Path.Combine(_dir.Path, "fresh", StoreLocation.DatabaseFileName), "file:///tmp/x", TimeProvider.System, log);

        Assert.Empty(log.Messages);
        Assert.Equal("Default", Assert.Single(await store.ListExperimentsAsync(ViewType.All, Ct)).Name);
    }
}
