using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Postgres.Tests;

public sealed class PostgresModelRegistryTests(PostgresFixture postgres) : ModelRegistryCompliance, IClassFixture<PostgresFixture>
{
    protected override string? Unavailable => postgres.Unavailable;

    protected override async Task<ITrackingStore> CreateStoreAsync() =>
        await PostgresTrackingStore.OpenAsync(await postgres.CreateDatabaseAsync(), "s3://fathom/artifacts", TimeProvider.System, CancellationToken.None);
}
