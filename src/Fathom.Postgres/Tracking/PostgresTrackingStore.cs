using System.Data.Common;
using Fathom.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Fathom.Tracking;

/// <summary>
/// The tracking store on PostgreSQL: the shared <see cref="SqlTrackingStore"/> over an Npgsql data source. Its fast
/// path appends a batch's points with array parameters in one round trip (<see cref="PostgresMetricRows"/>).
/// </summary>
internal sealed class PostgresTrackingStore : SqlTrackingStore
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresTrackingStore(NpgsqlDataSource dataSource, string defaultArtifactRoot, TimeProvider time)
        : base(PostgresDialect.Instance, defaultArtifactRoot, time)
    {
        _dataSource = dataSource;
        ModelRegistry = new PostgresModelRegistryStore(dataSource, time);
    }

    public override IModelRegistryStore ModelRegistry { get; }

    /// <summary>Connects to <paramref name="uri"/> and migrates the schema.</summary>
    public static Task<PostgresTrackingStore> OpenAsync(string uri, string defaultArtifactRoot, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(uri, defaultArtifactRoot, time, null, cancellationToken);

    /// <summary>Connects to <paramref name="uri"/> and migrates the schema, reporting an upgrade's long steps on <paramref name="logger"/>.</summary>
    public static async Task<PostgresTrackingStore> OpenAsync(string uri, string defaultArtifactRoot, TimeProvider time, ILogger? logger, CancellationToken cancellationToken)
    {
        var dataSource = NpgsqlDataSource.Create(PostgresConnectionString.FromUri(uri));
        var store = new PostgresTrackingStore(dataSource, defaultArtifactRoot, time);
        try
        {
            await PostgresSchema.MigrateAsync(dataSource, store.NowMs(), defaultArtifactRoot, PostgresSchema.LatestVersion, time, logger ?? NullLogger.Instance, cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    protected override Task<string?> AppendMetricsAsync(
        DbConnection connection, DbTransaction? transaction, string runId, IReadOnlyList<Metric> metrics, bool ignoreStored, CancellationToken cancellationToken) =>
        PostgresMetricRows.AppendAsync((NpgsqlConnection)connection, (NpgsqlTransaction?)transaction, runId, PostgresMetricRows.Distinct(metrics), ignoreStored, cancellationToken);
}
