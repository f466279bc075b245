using System.Globalization;
using System.Text;
using Fathom.Search;
using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// Translates parsed registry filters and order keys into one parameterised page query, so the database filters,
/// orders and pages on its keys ((name, key) and (name, version, key) for tags), never memory. The page is returned
/// as a FROM…LIMIT tail, so the same selection can feed the queries that load tags and aliases of the page. Comparisons
/// are the tracking search's (<see cref="SearchSql.CompareClause"/>), spelled by the store's <see cref="SqlDialect"/>.
/// </summary>
internal static class RegistrySearchSql
{
    public const string ModelColumns = "rm.name, rm.creation_time, rm.last_updated_time, rm.description";

    public const string VersionColumns =
        "mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.user_id, mv.current_stage, mv.description, mv.source, mv.run_id, mv.status, mv.status_message, mv.run_link";

    private const string PromptTag = "mlflow.prompt.is_prompt";

    /// <summary>The FROM…LIMIT tail selecting one page of registered models (alias <c>rm</c>).</summary>
    public static SqlQuery RegisteredModels(SqlDialect dialect, IReadOnlyList<SearchClause> clauses, IReadOnlyList<SearchOrder> orders, int limit, long offset)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(clauses);
        ArgumentNullException.ThrowIfNull(orders);
        var q = new SqlParameters(dialect);
        var joins = new StringBuilder();
        var where = new List<string>();
        foreach (var clause in clauses)
        {
            if (clause.Entity == SearchEntity.Tag)
            {
                var alias = q.Alias("f");
                joins.Append(CultureInfo.InvariantCulture,
                    $" JOIN registered_model_tags {alias} ON {alias}.name = rm.name AND {alias}.key = {q.Add(clause.Key)} AND {SearchSql.CompareClause(q, $"{alias}.value", clause)}");
            }
            else
            {
                where.Add(SearchSql.CompareClause(q, "rm.name", clause));
            }
        }

        // MLflow 3 keeps prompts (models tagged mlflow.prompt.is_prompt=true) out of model searches unless the filter asks for them.
        if (!clauses.Any(c => c.Entity == SearchEntity.Tag && c.Key == PromptTag))
        {
            where.Add($"NOT EXISTS (SELECT 1 FROM registered_model_tags p WHERE p.name = rm.name AND p.key = '{PromptTag}' AND p.value = 'true')");
        }

        var terms = orders.Select(o => $"{ModelColumn(o.Key)} {Direction(o)}").ToList();
        if (!orders.Any(o => o.Key == "name"))
        {
            terms.Add("rm.name ASC");
        }

        var filter = where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where);
        return new SqlQuery($"FROM registered_models rm{joins}{filter} ORDER BY {string.Join(", ", terms)} LIMIT {Number(limit + 1)} OFFSET {Number(offset)}", q.List);
    }

    /// <summary>The FROM…LIMIT tail selecting one page of model versions (alias <c>mv</c>); deleted versions never match.</summary>
    public static SqlQuery ModelVersions(SqlDialect dialect, IReadOnlyList<SearchClause> clauses, IReadOnlyList<SearchOrder> orders, int limit, long offset)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(clauses);
        ArgumentNullException.ThrowIfNull(orders);
        var q = new SqlParameters(dialect);
        var joins = new StringBuilder();
        var where = new List<string> { $"mv.current_stage <> '{ModelStages.DeletedInternal}'" };
        foreach (var clause in clauses)
        {
            if (clause.Entity == SearchEntity.Tag)
            {
                var alias = q.Alias("f");
                joins.Append(CultureInfo.InvariantCulture,
                    $" JOIN model_version_tags {alias} ON {alias}.name = mv.name AND {alias}.version = mv.version AND {alias}.key = {q.Add(clause.Key)} AND {SearchSql.CompareClause(q, $"{alias}.value", clause)}");
            }
            else
            {
                where.Add(SearchSql.CompareClause(q, VersionColumn(clause.Key), clause));
            }
        }

        // MLflow's default is the most recently changed first; name ASC, version DESC break ties so pages are stable.
        var terms = orders.Count == 0
            ? ["mv.last_updated_time DESC"]
            : orders.Select(o => $"{VersionColumn(o.Key)} {Direction(o)}").ToList();
        if (!orders.Any(o => o.Key == "name"))
        {
            terms.Add("mv.name ASC");
        }

        if (!orders.Any(o => o.Key == "version_number"))
        {
            terms.Add("mv.version DESC");
        }

        return new SqlQuery(
            $"FROM model_versions mv{joins} WHERE {string.Join(" AND ", where)} ORDER BY {string.Join(", ", terms)} LIMIT {Number(limit + 1)} OFFSET {Number(offset)}", q.List);
    }

    private static string ModelColumn(string key) => key switch
    {
        "name" => "rm.name",
        "last_updated_timestamp" => "rm.last_updated_time",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Not a registered-model order key."),
    };

    private static string VersionColumn(string key) => key switch
    {
        "name" => "mv.name",
        "run_id" => "mv.run_id",
        "source_path" => "mv.source",
        "version_number" => "mv.version",
        "creation_timestamp" => "mv.creation_time",
        "last_updated_timestamp" => "mv.last_updated_time",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Not a model-version key."),
    };

    private static string Direction(SearchOrder order) => order.Ascending ? "ASC" : "DESC";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
