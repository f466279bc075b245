namespace Fathom.Tracking;

internal sealed partial class PostgresTrackingStore
{
    public async Task<RunsPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken)
    {
        if (SearchSql.Runs(PostgresDialect.Instance, search) is not { } page)
        {
            return new RunsPage([], null);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var infos = await ReadRunInfosAsync(connection, null, page.Query.Sql, Values(page.Query), cancellationToken);
        var token = PageTokens.NextPage(infos, search.MaxResults, page.Offset);
        return new RunsPage(await AttachDataAsync(connection, infos, cancellationToken), token);
    }

    public async Task<ExperimentsPage> SearchExperimentsAsync(ExperimentSearch search, CancellationToken cancellationToken)
    {
        var (query, offset) = SearchSql.Experiments(PostgresDialect.Instance, search);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var experiments = await ReadExperimentsAsync(connection, null, query.Sql, Values(query), cancellationToken);
        return new ExperimentsPage(experiments, PageTokens.NextPage(experiments, search.MaxResults, offset));
    }

    public async Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<long> experimentIds, int limit, CancellationToken cancellationToken)
    {
        var query = DatasetSummarySql.Query(PostgresDialect.Instance, experimentIds, limit);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, query.Sql, null, Values(query));
        return await DatasetSummarySql.ReadAsync(command, cancellationToken);
    }

    // The dialect numbers parameters $1, $2, … in the order they were added, so their names are not needed.
    private static object[] Values(SqlQuery query) => query.Parameters.Select(p => p.Value).ToArray();
}
