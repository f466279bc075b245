using Microsoft.Data.Sqlite;

namespace Fathom.Tracking;

internal sealed partial class SqliteTrackingStore
{
    public async Task<RunsPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken)
    {
        if (SearchSql.Runs(SqliteDialect.Instance, search) is not { } page)
        {
            return new RunsPage([], null);
        }

        await using var connection = OpenConnection();
        var infos = await ReadRunInfosAsync(connection, page.Query, cancellationToken);
        var token = PageTokens.NextPage(infos, search.MaxResults, page.Offset);
        return new RunsPage(await AttachDataAsync(connection, infos, cancellationToken), token);
    }

    public async Task<ExperimentsPage> SearchExperimentsAsync(ExperimentSearch search, CancellationToken cancellationToken)
    {
        var (query, offset) = SearchSql.Experiments(SqliteDialect.Instance, search);
        await using var connection = OpenConnection();
        var experiments = (await ReadExperimentsAsync(connection, query, cancellationToken)).ToList();
        return new ExperimentsPage(experiments, PageTokens.NextPage(experiments, search.MaxResults, offset));
    }

    public async Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<long> experimentIds, int limit, CancellationToken cancellationToken)
    {
        var query = DatasetSummarySql.Query(SqliteDialect.Instance, experimentIds, limit);
        await using var connection = OpenConnection();
        await using var command = Bind(Command(connection, query.Sql), query);
        return await DatasetSummarySql.ReadAsync(command, cancellationToken);
    }

    private static async Task<List<RunInfo>> ReadRunInfosAsync(SqliteConnection connection, SqlQuery query, CancellationToken cancellationToken)
    {
        await using var command = Bind(Command(connection, query.Sql), query);
        return await ReadRunInfosAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<Experiment>> ReadExperimentsAsync(SqliteConnection connection, SqlQuery query, CancellationToken cancellationToken)
    {
        await using var command = Bind(Command(connection, query.Sql), query);
        return await ReadExperimentsAsync(connection, command, null, cancellationToken);
    }

    private static SqliteCommand Bind(SqliteCommand command, SqlQuery query)
    {
        foreach (var (name, value) in query.Parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
