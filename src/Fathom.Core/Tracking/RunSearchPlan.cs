using Fathom.Search;

namespace Fathom.Tracking;

/// <summary>
/// A parsed SearchRuns page and the queries that read it. Sorted by a metric, a page is read in three short steps
/// instead of one sort of every run: <see cref="WalkEndQuery"/> caps the index walk, <see cref="BoundQuery"/> finds
/// the value of the page's last row within it, and <see cref="Page"/> reads only the runs up to that value.
/// </summary>
internal sealed record RunSearchPlan(
    SqlDialect Dialect,
    IReadOnlyList<long> ExperimentIds,
    ViewType ViewType,
    IReadOnlyList<SearchClause> Clauses,
    IReadOnlyList<SearchOrder> Orders,
    int Limit,
    long Offset)
{
    /// <summary>
    /// How many index entries the bound may walk: ten times the rows the page reaches, at least 20,000. The walk stops
    /// at the page's last match, so a filter matching 2 % of the runs finds a page of 100 after about 5,000 entries;
    /// the cap only limits what a filter matching almost nothing costs before the page falls back to sorting its few
    /// matches (walking every entry of 100,000 runs that way cost 0.75 s of CPU in SQLite, the sort 0.07 s).
    /// </summary>
    public long WalkSteps => Math.Max(20_000, 10 * (Offset + Limit + 1));

    public SqlQuery? WalkEndQuery => SearchSql.MetricWalkEnd(Dialect, Orders, WalkSteps);

    public SqlQuery? BoundQuery(double? walkEnd) =>
        SearchSql.FirstMetricBound(Dialect, ExperimentIds, ViewType, Clauses, Orders, Limit, Offset, walkEnd);

    public SqlQuery Page(double? firstMetricBound = null) =>
        SearchSql.Runs(Dialect, ExperimentIds, ViewType, Clauses, Orders, Limit, Offset, firstMetricBound);
}
