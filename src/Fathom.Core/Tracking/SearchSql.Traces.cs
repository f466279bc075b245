using System.Globalization;
using System.Text;
using Fathom.Search;

namespace Fathom.Tracking;

internal static partial class SearchSql
{
    public const string TraceColumns = "t.request_id, t.experiment_id, t.timestamp_ms, t.execution_time_ms, t.status";

    /// <summary>
    /// One page of MLflow's SearchTraces as a query, with the offset it starts at: max_results checked (1 to 500, the
    /// server's limit), the filter and order parsed, the page token decoded. Null when no experiment id is a number.
    /// </summary>
    public static (SqlQuery Query, long Offset)? Traces(SqlDialect dialect, TraceSearch search)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(search);
        if (search.MaxResults is < 1 or > TraceSearch.MaxMaxResults)
        {
            throw TrackingException.Invalid(
                $"Invalid value {search.MaxResults} for parameter 'max_results' supplied. It must be at most {TraceSearch.MaxMaxResults} and at least 1.");
        }

        var clauses = SearchFilterParser.Parse(search.Filter, SearchTarget.Traces);
        var orders = SearchOrderParser.Parse(search.OrderBy, SearchTarget.Traces);
        var offset = PageTokens.Decode(search.PageToken);
        var ids = search.ExperimentIds
            .Select(e => long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .ToList();
        return ids.Count == 0 ? null : (Traces(dialect, ids, clauses, orders, search.MaxResults, offset), offset);
    }

    public static SqlQuery Traces(SqlDialect dialect, IReadOnlyList<long> experimentIds, IReadOnlyList<SearchClause> clauses, IReadOnlyList<SearchOrder> orders, int limit, long offset)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(experimentIds);
        ArgumentNullException.ThrowIfNull(clauses);
        ArgumentNullException.ThrowIfNull(orders);
        var q = new SqlParameters(dialect);
        var joins = new StringBuilder();
        var where = new List<string> { $"t.experiment_id IN ({string.Join(", ", experimentIds.Select(q.Add))})" };
        foreach (var clause in clauses)
        {
            if (TracePair(clause.Entity, clause.Key) is { } pair)
            {
                // A trace lacking the key never matches, even for '!=' (MLflow joins the tag's rows).
                var alias = q.Alias("f");
                joins.Append(CultureInfo.InvariantCulture, $" JOIN {pair.Table} {alias} ON {alias}.request_id = t.request_id AND {alias}.key = {q.Add(pair.Key)} AND {CompareClause(q, $"{alias}.value", clause)}");
            }
            else
            {
                where.Add(CompareClause(q, "t." + clause.Key, clause));
            }
        }

        // Missing values sort last whatever the direction (MLflow's CASE on NULL), then the value.
        var terms = new List<string>();
        foreach (var order in orders)
        {
            var direction = order.Ascending ? "ASC" : "DESC";
            if (TracePair(order.Entity, order.Key) is { } pair)
            {
                var alias = q.Alias("o");
                joins.Append(CultureInfo.InvariantCulture, $" LEFT JOIN {pair.Table} {alias} ON {alias}.request_id = t.request_id AND {alias}.key = {q.Add(pair.Key)}");
                terms.Add($"{alias}.value IS NULL, {dialect.BinaryOrder($"{alias}.value")} {direction}");
            }
            else
            {
                var column = "t." + order.Key;
                var term = order.Key is "status" or "request_id" ? dialect.BinaryOrder(column) : column;
                terms.Add(order.Key == "execution_time_ms" ? $"{column} IS NULL, {term} {direction}" : $"{term} {direction}");
            }
        }

        // MLflow's default and tie-break: newest first, then by id.
        if (!orders.Any(o => o.Entity == SearchEntity.Attribute && o.Key == "timestamp_ms"))
        {
            terms.Add("t.timestamp_ms DESC");
        }

        if (!orders.Any(o => o.Entity == SearchEntity.Attribute && o.Key == "request_id"))
        {
            terms.Add($"{dialect.BinaryOrder("t.request_id")} ASC");
        }

        var sql = $"SELECT {TraceColumns} FROM trace_info t{joins} WHERE {string.Join(" AND ", where)} ORDER BY {string.Join(", ", terms)} LIMIT {Number(limit + 1)} OFFSET {Number(offset)};";
        return new SqlQuery(sql, q.List);
    }

    /// <summary>
    /// The table and key a trace clause reads from when it is not a column: tags, request metadata, and the attributes
    /// MLflow keeps there (<c>name</c> is the tag <c>mlflow.traceName</c>, <c>run_id</c> the metadata <c>mlflow.sourceRun</c>).
    /// </summary>
    private static (string Table, string Key)? TracePair(SearchEntity entity, string key) => entity switch
    {
        SearchEntity.Tag => ("trace_tags", key),
        SearchEntity.RequestMetadata => ("trace_request_metadata", key),
        SearchEntity.Attribute when key == "name" => ("trace_tags", TraceTags.TraceName),
        SearchEntity.Attribute when key == "run_id" => ("trace_request_metadata", TraceTags.SourceRun),
        _ => null,
    };
}
