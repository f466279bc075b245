using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Postgres.Tests;

public sealed class PostgresTrackingStoreTests(PostgresFixture postgres) : TrackingStoreCompliance, IClassFixture<PostgresFixture>
{
    protected override string? Unavailable => postgres.Unavailable;

    protected override async Task<ITrackingStore> CreateStoreAsync() =>
        await PostgresTrackingStore.OpenAsync(await postgres.CreateDatabaseAsync(), "file:///tmp/fathom-pg/artifacts", TimeProvider.System, CancellationToken.None);

    [SkippableFact]
    public async Task Open_TwiceOnOneDatabase_MigratesOnce()
    {
        SkipIfUnavailable();
        var uri = await postgres.CreateDatabaseAsync();

        var stores = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostgresTrackingStore.OpenAsync(uri, "file:///tmp/x", TimeProvider.System, CancellationToken.None)));
        var experiments = await stores[0].ListExperimentsAsync(ViewType.All, CancellationToken.None);

        Assert.Equal("Default", Assert.Single(experiments).Name);
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Open_StoreLeftBySchemaVersion2_UpgradesAndKeepsLoggingToItsRuns()
    {
        SkipIfUnavailable();
        var uri = await postgres.CreateDatabaseAsync();
        const string RunId = "0123456789abcdef0123456789abcdef";
        await using (var older = Npgsql.NpgsqlDataSource.Create(PostgresConnectionString.FromUri(uri)))
        {
            // The store as a Fathom before the collation and COPY changes left it, with a run that has logged.
            await PostgresSchema.MigrateAsync(older, 1, "file:///tmp/x", 2, CancellationToken.None);
            await using var seed = older.CreateCommand($"""
                INSERT INTO runs VALUES ('{RunId}', 'old', 0, 'alice', 'RUNNING', 1, NULL, NULL, 'active', 'file:///tmp/x/0/{RunId}/artifacts');
                INSERT INTO metrics VALUES ('{RunId}', 'loss', 10, 0, 0.5, false), ('{RunId}', 'loss', 11, 1, 0.25, false);
                INSERT INTO latest_metrics VALUES ('{RunId}', 'loss', 0.25, 11, 1, false);
                """);
            await seed.ExecuteNonQueryAsync();
        }

        var log = new RecordingLogger();
        await using var store = await PostgresTrackingStore.OpenAsync(uri, "file:///tmp/x", TimeProvider.System, log, CancellationToken.None);
        // A resent point already stored, next to a new one: the insert fails on the key and the batch goes again.
        await store.LogBatchAsync(RunId, [new Metric("loss", 0.25, 11, 1), new Metric("loss", 0.125, 12, 2)], [], [], CancellationToken.None);

        Assert.Equal([0.5, 0.25, 0.125], (await store.GetMetricHistoryAsync(RunId, "loss", CancellationToken.None)).Select(m => m.Value));
        var found = await store.SearchRunsAsync(new RunSearch(["0"], Filter: "metrics.loss < 0.2", OrderBy: ["metrics.loss ASC"]), CancellationToken.None);
        Assert.Equal(new Metric("loss", 0.125, 12, 2), Assert.Single(Assert.Single(found.Runs).Metrics));
        // The steps that rebuild existing tables said so first, with the planner's row estimates; dropping a
        // constraint rewrites nothing and is not announced.
        Assert.Equal(3, log.Messages.Count);
        Assert.StartsWith(
            "Upgrading the PostgreSQL tracking store to schema version 3: rebuilding the indexes on run ids and keys with byte-order collation (rows: runs ≈ ",
            log.Messages[0], StringComparison.Ordinal);
        Assert.Contains(", metrics ≈ ", log.Messages[0], StringComparison.Ordinal);
        Assert.StartsWith("Upgrading the PostgreSQL tracking store to schema version 5: indexing the run inputs by data set (rows: inputs ≈ ", log.Messages[1], StringComparison.Ordinal);
        Assert.StartsWith($"Upgraded the PostgreSQL tracking store from schema version 2 to {PostgresSchema.LatestVersion} in ", log.Messages[2], StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionString_FromMlflowStyleUri()
    {
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString.FromUri("postgresql://ml%40flow:p%3Ass@db.internal:6543/tracking?sslmode=require"));

        Assert.Equal(("db.internal", 6543, "tracking", "ml@flow", "p:ss", Npgsql.SslMode.Require), (cs.Host, cs.Port, cs.Database, cs.Username, cs.Password, cs.SslMode));
        Assert.Throws<ArgumentException>(() => PostgresConnectionString.FromUri("mysql://x/y"));
    }
}
