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

    [Fact]
    public void ConnectionString_FromMlflowStyleUri()
    {
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString.FromUri("postgresql://ml%40flow:p%3Ass@db.internal:6543/tracking?sslmode=require"));

        Assert.Equal(("db.internal", 6543, "tracking", "ml@flow", "p:ss", Npgsql.SslMode.Require), (cs.Host, cs.Port, cs.Database, cs.Username, cs.Password, cs.SslMode));
        Assert.Throws<ArgumentException>(() => PostgresConnectionString.FromUri("mysql://x/y"));
    }
}
