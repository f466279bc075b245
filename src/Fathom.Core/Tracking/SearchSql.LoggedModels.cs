using System.Globalization;
using System.Text;
using Fathom.Search;

namespace Fathom.Tracking;

internal static partial class SearchSql
{
    /// <summary>
    /// One page of MLflow's SearchLoggedModels as a query, with the offset it starts at: max_results checked (1 to 50,
    /// the proto's threshold), the filter and order parsed, the page token decoded. Null when no experiment id is a number.
    /// </summary>
    public static (SqlQuery Query, long Offset)? LoggedModels(SqlDialect dialect, LoggedModelSearch search)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(search);
        if (search.MaxResults is < 1 or > LoggedModelSearch.DefaultMaxResults)
        {
            throw TrackingException.Invalid(
                $"Invalid value {search.MaxResults} for parameter 'max_results' supplied. It must be at most {LoggedModelSearch.DefaultMaxResults} and at least 1.");
        }

        var clauses = SearchFilterParser.Parse(search.Filter, SearchTarget.LoggedModels);
        var orders = (search.OrderBy ?? []).Select(ParseLoggedModelOrder).ToList();
        var offset = PageTokens.Decode(search.PageToken);
        var ids = search.ExperimentIds
            .Select(e => long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .ToList();
        return ids.Count == 0 ? null : (LoggedModels(dialect, ids, clauses, search.Datasets ?? [], orders, search.MaxResults, offset), offset);
    }

    private static SqlQuery LoggedModels(
        SqlDialect dialect, IReadOnlyList<long> experimentIds, IReadOnlyList<SearchClause> clauses, IReadOnlyList<LoggedModelDataset> datasets,
        IReadOnlyList<(SearchOrder Order, LoggedModelOrder Given)> orders, int limit, long offset)
    {
        var q = new SqlParameters(dialect);
        var joins = new StringBuilder();
        var where = new List<string> { $"m.experiment_id IN ({string.Join(", ", experimentIds.Select(q.Add))})", "m.lifecycle_stage = 'active'" };
        foreach (var clause in clauses)
        {
            switch (clause.Entity)
            {
                case SearchEntity.Tag or SearchEntity.Param:
                    // A model lacking the key never matches, even for '!=' (MLflow joins the rows).
                    var alias = q.Alias("f");
                    var table = clause.Entity == SearchEntity.Tag ? "logged_model_tags" : "logged_model_params";
                    joins.Append(CultureInfo.InvariantCulture, $" JOIN {table} {alias} ON {alias}.model_id = m.model_id AND {alias}.key = {q.Add(clause.Key)} AND {CompareClause(q, $"{alias}.value", clause)}");
                    break;
                case SearchEntity.Metric:
                    // Any point of the metric counts, on one of the named data sets when the search names some.
                    where.Add($"EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_id = m.model_id AND x.key = {q.Add(clause.Key)} AND {CompareClause(q, "x.value", clause with { Number = StoredNumber(clause.Number!.Value) })}{DatasetCondition(q, "x", datasets)})");
                    break;
                case SearchEntity.Attribute when clause.Key == "status":
                    // Filters may spell a status either way (READY or LOGGED_MODEL_READY); the store keeps the short name.
                    where.Add(CompareClause(q, "m.status", clause with { Text = clause.Text is { } text && LoggedModelStatusNames.Parse(text) is { } status ? status.ToStored() : clause.Text }));
                    break;
                default:
                    where.Add(CompareClause(q, LoggedModelColumn(clause.Key), clause));
                    break;
            }
        }

        var terms = new List<string>();
        foreach (var (order, given) in orders)
        {
            var direction = order.Ascending ? "ASC" : "DESC";
            if (order.Entity == SearchEntity.Metric)
            {
                // A metric orders by its latest point (by step, then time) on the named data set; models without it go last.
                var dataset = given.DatasetName is { } name ? DatasetCondition(q, "x", [new LoggedModelDataset(name, given.DatasetDigest)]) : string.Empty;
                var value = $"(SELECT x.value FROM logged_model_metrics x WHERE x.model_id = m.model_id AND x.key = {q.Add(order.Key)}{dataset} ORDER BY x.step DESC, x.timestamp DESC LIMIT 1)";
                terms.Add($"{value} IS NULL, {value} {direction}");
            }
            else
            {
                var column = LoggedModelColumn(order.Key);
                terms.Add(order.Key is "creation_timestamp" or "last_updated_timestamp" ? $"{column} {direction}" : $"{dialect.BinaryOrder(column)} {direction}");
            }
        }

        // MLflow's default and tie-break: newest first, then by id.
        if (!orders.Any(o => o.Order.Entity == SearchEntity.Attribute && o.Order.Key == "creation_timestamp"))
        {
            terms.Add("m.creation_timestamp_ms DESC");
        }

        if (!orders.Any(o => o.Order.Entity == SearchEntity.Attribute && o.Order.Key == "model_id"))
        {
            terms.Add($"{dialect.BinaryOrder("m.model_id")} ASC");
        }

        var sql = $"SELECT {LoggedModelColumns} FROM logged_models m{joins} WHERE {string.Join(" AND ", where)} ORDER BY {string.Join(", ", terms)} LIMIT {Number(limit + 1)} OFFSET {Number(offset)};";
        return new SqlQuery(sql, q.List);
    }

    /// <summary>The columns the store reads a logged model from, in its order.</summary>
    public const string LoggedModelColumns =
        "m.model_id, m.experiment_id, m.name, m.artifact_location, m.creation_timestamp_ms, m.last_updated_timestamp_ms, m.status, m.model_type, m.source_run_id, m.status_message";

    private static (SearchOrder Order, LoggedModelOrder Given) ParseLoggedModelOrder(LoggedModelOrder given)
    {
        if (string.IsNullOrWhiteSpace(given.FieldName))
        {
            throw TrackingException.Invalid("Missing value for required parameter 'order_by.field_name'. See the API docs for more information about request parameters.");
        }

        var order = SearchOrderParser.Parse([given.FieldName], SearchTarget.LoggedModels)[0];
        if (order.Entity != SearchEntity.Metric && given.DatasetName is not null)
        {
            throw TrackingException.Invalid($"Invalid order_by: 'dataset_name' applies only to a metric, not to '{given.FieldName}'.");
        }

        if (given.DatasetName is null && given.DatasetDigest is not null)
        {
            throw TrackingException.Invalid("Invalid order_by: 'dataset_digest' may only be given with 'dataset_name'.");
        }

        return (order with { Ascending = given.Ascending }, given);
    }

    private static string DatasetCondition(SqlParameters q, string alias, IReadOnlyList<LoggedModelDataset> datasets) =>
        datasets.Count == 0
            ? string.Empty
            : " AND (" + string.Join(" OR ", datasets.Select(d => d.Digest is { } digest
                ? $"({alias}.dataset_name = {q.Add(d.Name)} AND {alias}.dataset_digest = {q.Add(digest)})"
                : $"{alias}.dataset_name = {q.Add(d.Name)}")) + ")";

    private static string LoggedModelColumn(string attribute) => attribute switch
    {
        "creation_timestamp" => "m.creation_timestamp_ms",
        "last_updated_timestamp" => "m.last_updated_timestamp_ms",
        _ => "m." + attribute,
    };
}
