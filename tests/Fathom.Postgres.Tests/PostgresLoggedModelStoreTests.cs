using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Postgres.Tests;

public sealed class PostgresLoggedModelStoreTests(PostgresFixture postgres) : LoggedModelStoreCompliance, IClassFixture<PostgresFixture>
{
    protected override string? Unavailable => postgres.Unavailable;

    protected override async Task<ITrackingStore> CreateStoreAsync() =>
        await PostgresTrackingStore.OpenAsync(await postgres.CreateDatabaseAsync(), "file:///tmp/fathom-pg/artifacts", TimeProvider.System, CancellationToken.None);
}
