using Fathom.Testing;
using Fathom.Tracking;
using Fathom.Tuning;

namespace Fathom.Postgres.Tests;

public sealed class PostgresStudyStoreTests(PostgresFixture postgres) : StudyStoreCompliance, IClassFixture<PostgresFixture>
{
    private string _uri = "";

    protected override string? Unavailable => postgres.Unavailable;

    protected override async Task CreateDatabaseAsync() => _uri = await postgres.CreateDatabaseAsync();

    internal override Task<StudyStore> OpenAsync(TimeProvider time) =>
        new StudyStores().AddPostgres().OpenAsync(StoreLocation.Parse(_uri, "/"), time);
}
