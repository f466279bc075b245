using System.Data.Common;
using Fathom.Search;
using Fathom.Tracking;

namespace Fathom.Registry;

internal abstract partial class SqlModelRegistryStore
{
    private delegate SqlQuery PageQuery(SqlDialect dialect, IReadOnlyList<SearchClause> clauses, IReadOnlyList<SearchOrder> orders, int limit, long offset);

    private delegate Task<List<T>> PageReader<T>(DbConnection connection, DbTransaction? transaction, SqlQuery tail, CancellationToken cancellationToken);

    /// <summary>
    /// One page of a registry search (models or versions): max_results checked against MLflow's cap, filter and
    /// order parsed for <paramref name="target"/>, the page read in one query and its next-page token.
    /// </summary>
    private async Task<(List<T> Page, string? NextPageToken)> SearchAsync<T>(
        RegistrySearch search, SearchTarget target, int maxResultsCap, PageQuery query, PageReader<T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.MaxResults < 1 || search.MaxResults > maxResultsCap)
        {
            throw TrackingException.Invalid(
                $"Invalid value for request parameter max_results. It must be at least 1 and at most {maxResultsCap}, but got value {search.MaxResults}");
        }

        var clauses = SearchFilterParser.Parse(search.Filter, target);
        var orders = SearchOrderParser.Parse(search.OrderBy, target);
        var offset = PageTokens.Decode(search.PageToken);
        var tail = query(Dialect, clauses, orders, search.MaxResults, offset);
        var rows = await ReadAsync(connection => read(connection, null, tail, cancellationToken), cancellationToken);
        return (rows, PageTokens.NextPage(rows, search.MaxResults, offset));
    }
}
