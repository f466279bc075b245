using System.Globalization;
using Fathom.Search;
using Microsoft.Data.Sqlite;

namespace Fathom.Tracking;

internal sealed partial class SqliteTrackingStore
{
    public async Task<RunsPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken)
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
        if (ids.Count == 0)
        {
            return new RunsPage([], null);
        }

        var query = SearchSql.Runs(SqliteDialect.Instance, ids, search.ViewType, clauses, orders, search.MaxResults, offset);
        await using var connection = OpenConnection();
        var infos = await ReadRunInfosAsync(connection, query, cancellationToken);
        var more = infos.Count > search.MaxResults;
        if (more)
        {
            infos.RemoveAt(infos.Count - 1);
        }

        var runs = await AttachDataAsync(connection, infos, cancellationToken);
        return new RunsPage(runs, more ? PageTokens.Encode(offset + search.MaxResults) : null);
    }

    public async Task<ExperimentsPage> SearchExperimentsAsync(ExperimentSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        TrackingValidation.ValidateSearchMaxResults(search.MaxResults);
        var clauses = SearchFilterParser.Parse(search.Filter, SearchTarget.Experiments);
        var orders = SearchOrderParser.Parse(search.OrderBy, SearchTarget.Experiments);
        var offset = PageTokens.Decode(search.PageToken);
        var query = SearchSql.Experiments(SqliteDialect.Instance, search.ViewType, clauses, orders, search.MaxResults, offset);
        await using var connection = OpenConnection();
        var experiments = (await ReadExperimentsAsync(connection, query, cancellationToken)).ToList();
        var more = experiments.Count > search.MaxResults;
        if (more)
        {
            experiments.RemoveAt(experiments.Count - 1);
        }

        return new ExperimentsPage(experiments, more ? PageTokens.Encode(offset + search.MaxResults) : null);
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
