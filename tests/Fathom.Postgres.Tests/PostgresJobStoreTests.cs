using Fathom.Jobs;
using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Postgres.Tests;

public sealed class PostgresJobStoreTests(PostgresFixture postgres) : JobStoreCompliance, IClassFixture<PostgresFixture>
{
    protected override string? Unavailable => postgres.Unavailable;

    internal override async Task<IJobStore> CreateStoreAsync() =>
        await PostgresJobStore.OpenAsync(StoreLocation.Parse(await postgres.CreateDatabaseAsync(), "/"), TimeProvider.System, CancellationToken.None);
}
