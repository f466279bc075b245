using System.Data.Common;
using System.Globalization;

namespace Fathom.Tracking;

internal abstract partial class SqlTrackingStore
{
    public async Task<RunsPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken)
    {
        if (SearchSql.Runs(Dialect, search) is not { } plan)
        {
            return new RunsPage([], null);
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        double? bound = null;
        if (plan.WalkEndQuery is { } walkEndQuery)
        {
            var walkEnd = await ScalarAsync(connection, walkEndQuery, cancellationToken);
            bound = await ScalarAsync(connection, plan.BoundQuery(walkEnd)!, cancellationToken);
        }

        List<RunInfo> infos;
        await using (var command = Command(connection, plan.Page(bound)))
        {
            infos = await ReadRunInfosAsync(command, cancellationToken);
        }

        var token = PageTokens.NextPage(infos, search.MaxResults, plan.Offset);
        return new RunsPage(await AttachDataAsync(connection, infos, cancellationToken), token);
    }

    private async Task<double?> ScalarAsync(DbConnection connection, SqlQuery query, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, query);
        return await command.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : null;
    }

    public async Task<ExperimentsPage> SearchExperimentsAsync(ExperimentSearch search, CancellationToken cancellationToken)
    {
        var (query, offset) = SearchSql.Experiments(Dialect, search);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, query);
        var experiments = await ReadExperimentsAsync(connection, null, command, cancellationToken);
        return new ExperimentsPage(experiments, PageTokens.NextPage(experiments, search.MaxResults, offset));
    }

    public async Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<long> experimentIds, int limit, CancellationToken cancellationToken)
    {
        var query = DatasetSummarySql.Query(Dialect, experimentIds, limit);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, query);
        return await DatasetSummarySql.ReadAsync(command, cancellationToken);
    }
}
