using Fathom.Search;

namespace Fathom.Tracking;

internal sealed partial class PostgresTrackingStore
{
    public async Task<RunsPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        TrackingValidation.ValidateSearchMaxResults(search.MaxResults);
        var clauses = SearchFilterParser.Parse(search.Filter, SearchTarget.Runs);
        var orders = SearchOrderParser.Parse(search.OrderBy, SearchTarget.Runs);
        var offset = PageTokens.Decode(search.PageToken);
        var ids = search.ExperimentIds.Select(ParseId).OfType<long>().ToList();
        if (ids.Count == 0)
        {
            return new RunsPage([], null);
        }

        var query = SearchSql.Runs(PostgresDialect.Instance, ids, search.ViewType, clauses, orders, search.MaxResults, offset);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // The query asks for one row more than the page: its presence says another page exists.
        var infos = await ReadRunInfosAsync(connection, null, query.Sql, Values(query), cancellationToken);
        var more = infos.Count > search.MaxResults;
        if (more)
        {
            infos.RemoveAt(infos.Count - 1);
        }

        return new RunsPage(await AttachDataAsync(connection, infos, cancellationToken), more ? PageTokens.Encode(offset + search.MaxResults) : null);
    }

    public async Task<ExperimentsPage> SearchExperimentsAsync(ExperimentSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        TrackingValidation.ValidateSearchMaxResults(search.MaxResults);
        var clauses = SearchFilterParser.Parse(search.Filter, SearchTarget.Experiments);
        var orders = SearchOrderParser.Parse(search.OrderBy, SearchTarget.Experiments);
        var offset = PageTokens.Decode(search.PageToken);
        var query = SearchSql.Experiments(PostgresDialect.Instance, search.ViewType, clauses, orders, search.MaxResults, offset);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var experiments = await ReadExperimentsAsync(connection, null, query.Sql, Values(query), cancellationToken);
        var more = experiments.Count > search.MaxResults;
        if (more)
        {
            experiments.RemoveAt(experiments.Count - 1);
        }

        return new ExperimentsPage(experiments, more ? PageTokens.Encode(offset + search.MaxResults) : null);
    }

    // The dialect numbers parameters $1, $2, … in the order they were added, so their names are not needed.
    private static object[] Values(SqlQuery query) => query.Parameters.Select(p => p.Value).ToArray();
}
