using System.Data.Common;
using Fathom.Tracking;
using Npgsql;

namespace Fathom.Jobs;

/// <summary>The job store in the PostgreSQL tracking database: the shared <see cref="SqlJobStore"/> over an Npgsql data source.</summary>
internal sealed class PostgresJobStore : SqlJobStore
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresJobStore(NpgsqlDataSource dataSource, TimeProvider time)
        : base(PostgresDialect.Instance, time) => _dataSource = dataSource;

    /// <summary>Connects to <paramref name="location"/> and migrates the schema (the tracking schema, which holds the job tables).</summary>
    public static async Task<PostgresJobStore> OpenAsync(StoreLocation location, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        var dataSource = NpgsqlDataSource.Create(PostgresConnectionString.FromUri(location.Uri));
        var store = new PostgresJobStore(dataSource, time);
        try
        {
            await PostgresSchema.MigrateAsync(dataSource, time.GetUtcNow().ToUnixTimeMilliseconds(), location.ArtifactRoot, cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        return store;
    }

    /// <summary>Makes <paramref name="stores"/> open <c>postgresql://</c> (and <c>postgres://</c>) locations.</summary>
    public static JobStores Register(JobStores stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        static IJobStore Open(StoreLocation location, TimeProvider time) => OpenAsync(location, time, CancellationToken.None).GetAwaiter().GetResult();
        return stores.Add("postgresql", Open).Add("postgres", Open);
    }

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
