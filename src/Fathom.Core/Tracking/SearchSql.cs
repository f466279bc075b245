using System.Globalization;
using System.Text;
using Fathom.Search;

namespace Fathom.Tracking;

/// <summary>
/// Translates parsed search clauses and order keys into one parameterised query for any store's engine (the
/// differences live in <see cref="SqlDialect"/>), so filtering, ordering and paging happen in the database on its
/// indexes (the primary keys of <c>latest_metrics</c>, <c>params</c> and <c>tags</c> are (run, key), so each clause
/// is an index lookup per run), never in memory.
/// </summary>
internal static partial class SearchSql
{
    public const string RunColumns = "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

    public const string ExperimentColumns = "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time";

    /// <summary>
    /// One page of MLflow's SearchRuns as a plan of queries: max_results checked, the filter and order parsed, the
    /// page token decoded. Null when no experiment id is a number, so no run can match.
    /// </summary>
    public static RunSearchPlan? Runs(SqlDialect dialect, RunSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        TrackingValidation.ValidateSearchMaxResults(search.MaxResults);
        var clauses = SearchFilterParser.Parse(search.Filter, SearchTarget.Runs);
        var orders = SearchOrderParser.Parse(search.OrderBy, SearchTarget.Runs);
        var offset = PageTokens.Decode(search.PageToken);
        var ids = search.ExperimentIds
            .Select(e => long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .ToList();
        return ids.Count == 0 ? null : new RunSearchPlan(dialect, ids, search.ViewType, clauses, orders, search.MaxResults, offset);
    }

    /// <summary>One page of MLflow's SearchExperiments as a query, with the offset it starts at.</summary>
    public static (SqlQuery Query, long Offset) Experiments(SqlDialect dialect, ExperimentSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        TrackingValidation.ValidateSearchMaxResults(search.MaxResults);
        var clauses = SearchFilterParser.Parse(search.Filter, SearchTarget.Experiments);
        var orders = SearchOrderParser.Parse(search.OrderBy, SearchTarget.Experiments);
        var offset = PageTokens.Decode(search.PageToken);
        return (Experiments(dialect, search.ViewType, clauses, orders, search.MaxResults, offset), offset);
    }

    public static SqlQuery Runs(
        SqlDialect dialect,
        IReadOnlyList<long> experimentIds, ViewType viewType, IReadOnlyList<SearchClause> clauses, IReadOnlyList<SearchOrder> orders, int limit, long offset,
        double? firstMetricBound = null)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(orders);
        var q = new SqlParameters(dialect);
        var (joins, where, metricJoins) = RunFilter(q, experimentIds, viewType, clauses);

        var from = "runs r";
        var orderTerms = new List<string>();
        var first = 0;
        if (firstMetricBound is { } bound && orders is [{ Entity: SearchEntity.Metric } leading, ..])
        {
            // Only runs with a number within the bound can be on the page, so the metric's index leads (SQLite's CROSS
            // JOIN keeps it first) and its range is all that is read and sorted.
            var alias = q.Alias("o");
            from = $"latest_metrics {alias} {dialect.FilterJoin} runs r ON r.run_uuid = {alias}.run_uuid";
            where.Add($"{alias}.key = {q.Add(leading.Key)} AND {dialect.IsNumber(alias)} AND {alias}.value {(leading.Ascending ? "<=" : ">=")} {q.Add(bound)}");
            orderTerms.Add($"{alias}.value {(leading.Ascending ? "ASC" : "DESC")}");
            first = 1;
        }

        for (var i = first; i < orders.Count; i++)
        {
            var order = orders[i];
            var direction = order.Ascending ? "ASC" : "DESC";
            switch (order.Entity)
            {
                case SearchEntity.Metric when metricJoins.TryGetValue(order.Key, out var join):
                    if (!join.NaNExcluded)
                    {
                        orderTerms.Add($"{join.Alias}.is_nan");
                    }

                    orderTerms.Add($"{join.Alias}.value {direction}");
                    break;
                case SearchEntity.Metric:
                    {
                        // Missing values sort last whatever the direction, NaN just before them (MLflow's SQL store).
                        var alias = q.Alias("o");
                        joins.Append(CultureInfo.InvariantCulture, $" LEFT JOIN latest_metrics {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = {q.Add(order.Key)}");
                        orderTerms.Add($"{alias}.run_uuid IS NULL, {alias}.is_nan, {alias}.value {direction}");
                        break;
                    }

                case SearchEntity.Param or SearchEntity.Tag:
                    {
                        var alias = q.Alias("o");
                        var table = order.Entity == SearchEntity.Param ? "params" : "tags";
                        joins.Append(CultureInfo.InvariantCulture, $" LEFT JOIN {table} {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = {q.Add(order.Key)}");
                        orderTerms.Add($"{alias}.value IS NULL, {dialect.BinaryOrder($"{alias}.value")} {direction}");
                        break;
                    }

                default:
                    var column = RunColumn(order.Key);
                    var term = SearchKeys.IsNumericAttribute(order.Key, SearchTarget.Runs) ? column : dialect.BinaryOrder(column);
                    orderTerms.Add(order.Key == "end_time" ? $"{column} IS NULL, {term} {direction}" : $"{term} {direction}");
                    break;
            }
        }

        // MLflow's implicit tail: newest first, then run id, so pages are stable.
        if (!orders.Any(o => o.Entity == SearchEntity.Attribute && o.Key == "start_time"))
        {
            orderTerms.Add("r.start_time DESC");
        }

        if (!orders.Any(o => o.Entity == SearchEntity.Attribute && o.Key == "run_id"))
        {
            orderTerms.Add($"{dialect.BinaryOrder("r.run_uuid")} ASC");
        }

        // One more row than asked tells whether another page exists without a second query.
        var sql = $"SELECT {RunColumns} FROM {from}{joins} WHERE {string.Join(" AND ", where)} ORDER BY {string.Join(", ", orderTerms)} LIMIT {Number(limit + 1)} OFFSET {Number(offset)};";
        return new SqlQuery(sql, q.List);
    }

    /// <summary>
    /// For a page sorted first by a metric, the value of the last row it can hold (the row after the page included, as
    /// the page asks for one row more): walked in the order of the <c>(key, value)</c> index, it stops after
    /// <paramref name="offset"/> + <paramref name="limit"/> + 1 matches instead of sorting every run, and the page query
    /// then keeps only the runs within it (ties included, so the tail of the order still decides among them).
    /// The walk goes no further than <paramref name="walkEnd"/> (see <see cref="MetricWalkEnd"/>), so a filter that few
    /// runs match costs a bounded walk, not one over every run holding the key. Null when the first order is not a
    /// metric. The query answers no row when fewer runs match within the walk than the page reaches; the page is then
    /// read unbounded (it may need NaN and missing values too).
    /// </summary>
    public static SqlQuery? FirstMetricBound(
        SqlDialect dialect,
        IReadOnlyList<long> experimentIds, ViewType viewType, IReadOnlyList<SearchClause> clauses, IReadOnlyList<SearchOrder> orders, int limit, long offset,
        double? walkEnd)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(orders);
        if (orders is not [{ Entity: SearchEntity.Metric } leading, ..])
        {
            return null;
        }

        var q = new SqlParameters(dialect);
        var (joins, where, _) = RunFilter(q, experimentIds, viewType, clauses);
        var alias = q.Alias("b");
        var walk = walkEnd is { } end ? $" AND {alias}.value {(leading.Ascending ? "<=" : ">=")} {q.Add(end)}" : string.Empty;
        // The metric's index first (SQLite's CROSS JOIN keeps this order), then one run and one look-up per clause per row.
        var sql = $"SELECT {alias}.value FROM latest_metrics {alias} {dialect.FilterJoin} runs r ON r.run_uuid = {alias}.run_uuid{joins} " +
            $"WHERE {alias}.key = {q.Add(leading.Key)} AND {dialect.IsNumber(alias)}{walk} AND {string.Join(" AND ", where)} " +
            $"ORDER BY {alias}.value {(leading.Ascending ? "ASC" : "DESC")} LIMIT 1 OFFSET {Number(offset + limit)};";
        return new SqlQuery(sql, q.List);
    }

    /// <summary>
    /// The value <paramref name="steps"/> entries into a metric's index in the page's order (no row when the key has
    /// fewer): an index-only walk that caps how far <see cref="FirstMetricBound"/> looks for matches.
    /// </summary>
    public static SqlQuery? MetricWalkEnd(SqlDialect dialect, IReadOnlyList<SearchOrder> orders, long steps)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(orders);
        if (orders is not [{ Entity: SearchEntity.Metric } leading, ..])
        {
            return null;
        }

        var q = new SqlParameters(dialect);
        // No NaN test: that would read each entry's row (0.24 s for 20,000 entries of a cold 100,000-run store instead of
        // 2 ms from the index alone), and counting NaN entries only makes the cap a little tighter.
        var sql = $"SELECT value FROM latest_metrics WHERE key = {q.Add(leading.Key)} " +
            $"ORDER BY value {(leading.Ascending ? "ASC" : "DESC")} LIMIT 1 OFFSET {Number(steps)};";
        return new SqlQuery(sql, q.List);
    }

    /// <summary>
    /// The joins and conditions that keep the runs of <paramref name="experimentIds"/> matching every clause, and the
    /// join made for each filtered metric key (an order on that key reuses it).
    /// </summary>
    private static (StringBuilder Joins, List<string> Where, Dictionary<string, (string Alias, bool NaNExcluded)> MetricJoins) RunFilter(
        SqlParameters q, IReadOnlyList<long> experimentIds, ViewType viewType, IReadOnlyList<SearchClause> clauses)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        ArgumentNullException.ThrowIfNull(clauses);
        var dialect = q.Dialect;
        var joins = new StringBuilder();
        var where = new List<string> { $"r.experiment_id IN ({string.Join(", ", experimentIds.Select(q.Add))})" };
        if (Stage(viewType, "r") is { } stage)
        {
            where.Add(stage);
        }

        // Metric joins by key, so an order on a filtered metric reuses the filter's row (and its index walk).
        var metricJoins = new Dictionary<string, (string Alias, bool NaNExcluded)>(StringComparer.Ordinal);
        foreach (var clause in clauses)
        {
            switch (clause.Entity)
            {
                case SearchEntity.Metric:
                    {
                        var alias = q.Alias("f");
                        var test = Compare(q, $"{alias}.value", clause.Comparator, StoredNumber(clause.Number!.Value));
                        // NaN compares false with every number, as in IEEE arithmetic, except for '!='.
                        var nanExcluded = clause.Comparator != SearchComparator.NotEqual;
                        var condition = nanExcluded ? $"{dialect.IsNumber(alias)} AND {test}" : $"({dialect.IsNaN(alias)} OR {test})";
                        joins.Append(CultureInfo.InvariantCulture, $" {dialect.FilterJoin} latest_metrics {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = {q.Add(clause.Key)} AND {condition}");
                        if (!metricJoins.TryGetValue(clause.Key, out var existing) || (nanExcluded && !existing.NaNExcluded))
                        {
                            metricJoins[clause.Key] = (alias, nanExcluded);
                        }

                        break;
                    }

                case SearchEntity.Param or SearchEntity.Tag:
                    {
                        // A run lacking the key never matches, even for '!=' (MLflow's rule), hence an inner join.
                        var alias = q.Alias("f");
                        var table = clause.Entity == SearchEntity.Param ? "params" : "tags";
                        joins.Append(CultureInfo.InvariantCulture, $" {dialect.FilterJoin} {table} {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = {q.Add(clause.Key)} AND {CompareClause(q, $"{alias}.value", clause)}");
                        break;
                    }

                case SearchEntity.Dataset:
                    where.Add(clause.Key == "context"
                        ? $"EXISTS (SELECT 1 FROM inputs i, {dialect.JsonPairs("i.tags", "j")} WHERE i.run_uuid = r.run_uuid AND {dialect.JsonPairItem("j", 0)} = 'mlflow.data.context' AND {CompareClause(q, dialect.JsonPairItem("j", 1), clause)})"
                        : $"EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid = r.run_uuid AND {CompareClause(q, "d." + clause.Key, clause)})");
                    break;

                default:
                    where.Add(CompareClause(q, RunColumn(clause.Key), clause));
                    break;
            }
        }

        return (joins, where, metricJoins);
    }

    public static SqlQuery Experiments(SqlDialect dialect, ViewType viewType, IReadOnlyList<SearchClause> clauses, IReadOnlyList<SearchOrder> orders, int limit, long offset)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(clauses);
        ArgumentNullException.ThrowIfNull(orders);
        var q = new SqlParameters(dialect);
        var joins = new StringBuilder();
        var where = new List<string>();
        if (Stage(viewType, "e") is { } stage)
        {
            where.Add(stage);
        }

        foreach (var clause in clauses)
        {
            if (clause.Entity == SearchEntity.Tag)
            {
                var alias = q.Alias("f");
                joins.Append(CultureInfo.InvariantCulture, $" JOIN experiment_tags {alias} ON {alias}.experiment_id = e.experiment_id AND {alias}.key = {q.Add(clause.Key)} AND {CompareClause(q, $"{alias}.value", clause)}");
            }
            else
            {
                where.Add(CompareClause(q, "e." + clause.Key, clause));
            }
        }

        // MLflow's default is newest first; an explicit order gets experiment_id DESC as its tie-break.
        var terms = orders.Count == 0
            ? ["e.creation_time DESC", "e.experiment_id ASC"]
            : orders.Select(o => $"{(o.Key == "name" ? dialect.BinaryOrder("e.name") : "e." + o.Key)} {(o.Ascending ? "ASC" : "DESC")}").ToList();
        if (orders.Count > 0 && !orders.Any(o => o.Key == "experiment_id"))
        {
            terms.Add("e.experiment_id DESC");
        }

        var filter = where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where);
        var sql = $"SELECT {ExperimentColumns} FROM experiments e{joins}{filter} ORDER BY {string.Join(", ", terms)} LIMIT {Number(limit + 1)} OFFSET {Number(offset)};";
        return new SqlQuery(sql, q.List);
    }

    private static string? Stage(ViewType viewType, string alias) => viewType switch
    {
        ViewType.ActiveOnly => $"{alias}.lifecycle_stage = 'active'",
        ViewType.DeletedOnly => $"{alias}.lifecycle_stage = 'deleted'",
        _ => null,
    };

    private static string RunColumn(string attribute) => attribute switch
    {
        "run_id" => "r.run_uuid",
        "run_name" => "r.name",
        "user_id" => "r.user_id",
        "status" => "r.status",
        "artifact_uri" => "r.artifact_uri",
        "start_time" => "r.start_time",
        "end_time" => "r.end_time",
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "Not a run attribute."),
    };

    /// <summary>A clause's comparison of <paramref name="column"/> as SQL (lists, numbers, text, MLflow's LIKE and ILIKE).</summary>
    public static string CompareClause(SqlParameters q, string column, SearchClause clause) => clause.Comparator switch
    {
        SearchComparator.In => $"{column} IN ({string.Join(", ", clause.List!.Select(q.Add))})",
        SearchComparator.NotIn => $"{column} NOT IN ({string.Join(", ", clause.List!.Select(q.Add))})",
        _ when clause.Number is { } number => Compare(q, column, clause.Comparator, number),
        _ => Compare(q, column, clause.Comparator, clause.Text!),
    };

    private static string Compare(SqlParameters q, string column, SearchComparator comparator, object value) => comparator switch
    {
        SearchComparator.Equal => $"{column} = {q.Add(value)}",
        SearchComparator.NotEqual => $"{column} != {q.Add(value)}",
        SearchComparator.Greater => $"{column} > {q.Add(value)}",
        SearchComparator.GreaterOrEqual => $"{column} >= {q.Add(value)}",
        SearchComparator.Less => $"{column} < {q.Add(value)}",
        SearchComparator.LessOrEqual => $"{column} <= {q.Add(value)}",
        SearchComparator.Like => q.Dialect.Like(column, q.Add(q.Dialect.LikePattern((string)value))),
        SearchComparator.ILike => q.Dialect.ILike(column, q.Add(value)),
        _ => throw new ArgumentOutOfRangeException(nameof(comparator), comparator, "Lists are compared by CompareClause."),
    };

    // Infinities are stored clamped to ±double.MaxValue (MLflow's rule), so compare against the same numbers.
    private static double StoredNumber(double value) => value switch
    {
        double.PositiveInfinity => double.MaxValue,
        double.NegativeInfinity => double.MinValue,
        _ => value,
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
